import { describe, expect, it } from 'vitest';
import { chatFormat, inferFormat, usageOf } from '../../stack/gateway/response-formats.js';
import { type RawResponse, sampleFromResponse } from './sample-from-response.ts';

const sse = (atMs: number, payload: unknown) => ({
  data: typeof payload === 'string' ? payload : JSON.stringify(payload),
  event: 'message',
  atMs,
});
const base: RawResponse = {
  status: 200,
  transport: '',
  headers: { 'x-gauntlet-worker-id': 'w0' },
  body: '',
  eventStream: false,
  events: [],
  t0UnixMs: 1000,
  e2eMs: 51.234,
};

describe('sampleFromResponse', () => {
  it('samples a plain /infer answer', () => {
    const body = JSON.stringify(
      inferFormat({ requestId: 'r', model: 'm', includeUsage: false }).complete(
        'a b ',
        usageOf(7, 2),
        'stop',
      ),
    );
    const result = sampleFromResponse(
      { id: 'r', scenario: 'load', phase: 'steady', endpoint: 'infer', streamed: false },
      { ...base, body },
    );
    expect(result).toEqual({
      canceled: false,
      sample: {
        id: 'r',
        sc: 'load',
        ph: 'steady',
        ep: 'infer',
        t0: 1000,
        st: 200,
        ok: 1,
        e2e: 51.23,
        out: 2,
        in: 7,
        w: 'w0',
      },
    });
  });

  it('samples a complete and a cut stream', () => {
    const format = chatFormat({ requestId: 'r', model: 'm', includeUsage: true });
    const events = [
      sse(20, format.delta('x ')),
      sse(40, format.delta('y ')),
      sse(41, format.finish('stop')),
      sse(41, format.usage(usageOf(3, 2))),
      sse(41, '[DONE]'),
    ];
    const context = {
      id: 's',
      scenario: 'load',
      phase: 'steady',
      endpoint: 'chat_stream' as const,
      streamed: true,
    };
    const whole = sampleFromResponse(context, { ...base, eventStream: true, events });
    expect(whole).toMatchObject({ canceled: false, sample: { ok: 1, ttft: 20, itl: [20], out: 2, in: 3 } });
    const cut = sampleFromResponse(context, {
      ...base,
      eventStream: true,
      events: events.slice(0, 1),
      transport: 'connection',
    });
    expect(cut).toMatchObject({
      canceled: false,
      sample: { ok: 0, err: 'stream_cut', ttft: 20, itl: [], out: 1 },
    });
  });

  it('leaves out requests that k6 canceled at the end of the run', () => {
    const context = {
      id: 'c',
      scenario: 'load',
      phase: 'steady',
      endpoint: 'chat' as const,
      streamed: false,
    };
    expect(sampleFromResponse(context, { ...base, status: 0, transport: 'canceled' })).toEqual({
      canceled: true,
    });
  });
});
