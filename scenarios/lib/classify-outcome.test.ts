import { describe, expect, it } from 'vitest';
import { classifyOutcome, k6HttpTransport, type ResponseFacts } from './classify-outcome.ts';
import type { StreamSummary } from './stream-summary.ts';

const complete: StreamSummary = {
  ttftMs: 10,
  itlMs: [5],
  contentEvents: 2,
  completionTokens: 2,
  promptTokens: 3,
  sawDone: true,
  sawFinish: true,
  sawError: false,
  malformed: 0,
};
const plain: ResponseFacts = {
  status: 200,
  transport: '',
  streamed: false,
  eventStream: false,
  stream: undefined,
  bodyValid: true,
};
const streamed: ResponseFacts = {
  ...plain,
  streamed: true,
  eventStream: true,
  stream: complete,
  bodyValid: false,
};

describe('classifyOutcome', () => {
  it('maps statuses to error kinds', () => {
    expect(classifyOutcome(plain)).toEqual({ ok: true });
    expect(classifyOutcome({ ...plain, status: 429 })).toEqual({ ok: false, kind: 'rate_limited' });
    expect(classifyOutcome({ ...plain, status: 404 })).toEqual({ ok: false, kind: 'client_error' });
    expect(classifyOutcome({ ...plain, status: 503 })).toEqual({ ok: false, kind: 'server_error' });
    expect(classifyOutcome({ ...plain, status: 302 })).toEqual({ ok: false, kind: 'server_error' });
    expect(classifyOutcome({ ...streamed, status: 429, eventStream: false })).toEqual({
      ok: false,
      kind: 'rate_limited',
    });
  });

  it('maps transport failures', () => {
    expect(classifyOutcome({ ...plain, status: 0, transport: 'connection' })).toEqual({
      ok: false,
      kind: 'connection',
    });
    expect(classifyOutcome({ ...plain, status: 0, transport: 'timeout' })).toEqual({
      ok: false,
      kind: 'timeout',
    });
    expect(classifyOutcome({ ...plain, status: 0, transport: 'protocol' })).toEqual({
      ok: false,
      kind: 'server_error',
    });
    expect(classifyOutcome({ ...plain, status: 0, transport: 'canceled' })).toEqual({
      ok: false,
      kind: 'canceled',
    });
    expect(classifyOutcome({ ...plain, bodyValid: false })).toEqual({ ok: false, kind: 'server_error' });
    expect(classifyOutcome({ ...plain, transport: 'connection' })).toEqual({ ok: false, kind: 'connection' });
  });

  it('calls a stream that started and did not finish cleanly stream_cut', () => {
    expect(classifyOutcome(streamed)).toEqual({ ok: true });
    const cut = { ok: false, kind: 'stream_cut' };
    expect(classifyOutcome({ ...streamed, stream: { ...complete, sawDone: false } })).toEqual(cut);
    expect(classifyOutcome({ ...streamed, stream: { ...complete, sawFinish: false } })).toEqual(cut);
    expect(classifyOutcome({ ...streamed, stream: { ...complete, sawError: true } })).toEqual(cut);
    expect(classifyOutcome({ ...streamed, transport: 'connection' })).toEqual(cut);
    expect(classifyOutcome({ ...streamed, transport: 'protocol' })).toEqual(cut);
    // The client's own deadline stays a timeout, also mid-stream.
    expect(classifyOutcome({ ...streamed, transport: 'timeout' })).toEqual({ ok: false, kind: 'timeout' });
    expect(classifyOutcome({ ...streamed, stream: { ...complete, malformed: 1 } })).toEqual({
      ok: false,
      kind: 'server_error',
    });
    expect(classifyOutcome({ ...streamed, eventStream: false, stream: undefined })).toEqual({
      ok: false,
      kind: 'server_error',
    });
  });
});

describe('k6HttpTransport', () => {
  it("maps k6/http's error codes", () => {
    expect(k6HttpTransport(0, '')).toBe('');
    expect(k6HttpTransport(1503, 'HTTP 503')).toBe('');
    expect(k6HttpTransport(1050, 'request timeout')).toBe('timeout');
    expect(k6HttpTransport(1211, 'dial: i/o timeout')).toBe('timeout');
    expect(k6HttpTransport(1212, 'dial: connection refused')).toBe('connection');
    expect(k6HttpTransport(1220, 'read: connection reset by peer')).toBe('connection');
    expect(k6HttpTransport(1000, 'context canceled')).toBe('canceled');
    expect(k6HttpTransport(1701, 'decompression')).toBe('protocol');
  });
});
