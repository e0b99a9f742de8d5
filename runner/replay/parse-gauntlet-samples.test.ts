import { describe, expect, it } from 'vitest';
import { parseGauntletSamples } from './parse-gauntlet-samples.js';

const sample = (extra: Record<string, unknown>) =>
  JSON.stringify({
    id: 'g1-steady-0-v1',
    sc: 'load',
    ph: 'steady',
    ep: 'chat_stream',
    t0: 1_700_000_000_000.5,
    st: 200,
    ok: 1,
    e2e: 120,
    out: 8,
    in: 256,
    ...extra,
  });

describe('parseGauntletSamples', () => {
  it('replays send time, prompt and output tokens, and the endpoint of each sample', () => {
    const text = `${sample({})}\n${sample({ t0: 1_700_000_000_250, ep: 'infer', in: 12, out: 3 })}\n`;
    const trace = parseGauntletSamples(text, 'samples.ndjson');
    expect(trace.requests).toEqual([
      { atMs: 1_700_000_000_000.5, inputTokens: 256, outputTokens: 8, endpoint: 'chat_stream', line: 1 },
      { atMs: 1_700_000_000_250, inputTokens: 12, outputTokens: 3, endpoint: 'infer', line: 2 },
    ]);
    expect(trace.skipped).toEqual([]);
  });

  it('leaves out, and says so, samples without token counts (a request that failed before usage)', () => {
    const failed = sample({ ok: 0, st: 0, err: 'connection', out: 0, in: undefined });
    const trace = parseGauntletSamples(`${sample({})}\n${failed}\n`, 's.ndjson');
    expect(trace.requests).toHaveLength(1);
    expect(trace.skipped).toEqual([
      { reason: expect.stringContaining('no input or output token count'), lines: [2] },
    ]);
  });

  it('names the file, line, field and what is allowed', () => {
    expect(() => parseGauntletSamples(sample({ t0: 'now' }), 's.ndjson')).toThrow(
      "trace s.ndjson:1: t0: 'now' is not a send time in Unix ms (a number > 0)",
    );
    expect(() => parseGauntletSamples(sample({ ep: 'embeddings' }), 's.ndjson')).toThrow(
      "trace s.ndjson:1: ep: 'embeddings' is not one of infer, chat, chat_stream, completions",
    );
    expect(() => parseGauntletSamples('{"t0": ', 's.ndjson')).toThrow(/^trace s\.ndjson:1: not JSON/);
  });
});
