import { describe, expect, it } from 'vitest';
import { tpotMs as reportsTpotMs } from '../../reports/model/request-sample.ts';
import { buildSample, metricValues, type RequestRecord, tpotMs } from './build-sample.ts';

const record: RequestRecord = {
  id: 'g1-steady-4-v2',
  scenario: 'load',
  phase: 'steady',
  endpoint: 'chat_stream',
  t0UnixMs: 1_700_000_000_123.5,
  e2eMs: 120.456,
  status: 200,
  error: undefined,
  stream: {
    ttftMs: 20.123,
    itlMs: [20.004, 19.996],
    contentEvents: 3,
    completionTokens: 5,
    promptTokens: 17,
    sawDone: true,
    sawFinish: true,
    sawError: false,
    malformed: 0,
  },
  usage: undefined,
  headers: {
    'x-gauntlet-queue-ms': '3.5',
    'x-gauntlet-batch-size': '8',
    'x-gauntlet-worker-id': 'w1',
    'x-gauntlet-batcher-id': 'b0',
    'x-gauntlet-attempts': '2',
  },
};

describe('buildSample', () => {
  it('writes the short keys of RequestSample, rounded', () => {
    expect(buildSample(record)).toEqual({
      id: 'g1-steady-4-v2',
      sc: 'load',
      ph: 'steady',
      ep: 'chat_stream',
      t0: 1_700_000_000_123.5,
      st: 200,
      ok: 1,
      e2e: 120.46,
      ttft: 20.12,
      itl: [20, 20],
      out: 5,
      in: 17,
      q: 3.5,
      bs: 8,
      w: 'w1',
      b: 'b0',
      a: 2,
    });
  });

  it('counts content events when the stream had no usage, and keeps the error kind', () => {
    const stream = record.stream && {
      ...record.stream,
      completionTokens: undefined,
      promptTokens: undefined,
    };
    const sample = buildSample({ ...record, stream, error: 'stream_cut', headers: {} });
    expect(sample).toMatchObject({ ok: 0, err: 'stream_cut', out: 3 });
    expect(sample.in).toBeUndefined();
    expect(sample.q).toBeUndefined();
  });

  it('takes usage of non-streamed answers', () => {
    const sample = buildSample({
      ...record,
      endpoint: 'infer',
      stream: undefined,
      usage: { completionTokens: 9, promptTokens: 4 },
    });
    expect(sample).toMatchObject({ ep: 'infer', out: 9, in: 4 });
    expect(sample.ttft).toBeUndefined();
    expect(sample.itl).toBeUndefined();
  });
});

describe('metricValues', () => {
  it('feeds latency trends from successful requests only', () => {
    const ok = metricValues(buildSample(record));
    expect(ok).toEqual({
      e2eMs: 120.46,
      ttftMs: 20.12,
      itlMs: [20, 20],
      tpotMs: (120.46 - 20.12) / 4,
      outputTokens: 5,
      error: undefined,
    });
    const failed = metricValues(buildSample({ ...record, error: 'stream_cut' }));
    expect(failed).toEqual({
      e2eMs: undefined,
      ttftMs: undefined,
      itlMs: [],
      tpotMs: undefined,
      outputTokens: 5,
      error: 'stream_cut',
    });
  });

  it('computes TPOT exactly as the reports do', () => {
    for (const sample of [
      { e2e: 100, ttft: 20, out: 5 },
      { e2e: 100, ttft: 20, out: 1 },
      { e2e: 100, ttft: undefined, out: 5 },
    ]) {
      expect(tpotMs(sample)).toBe(reportsTpotMs(sample));
    }
    // A single output token has no time per output token: undefined, never a 0 that drags TPOT down.
    expect(tpotMs({ e2e: 100, ttft: 20, out: 1 })).toBeUndefined();
  });
});
