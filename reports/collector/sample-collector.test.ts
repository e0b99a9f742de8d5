import { describe, expect, it } from 'vitest';
import type { RequestSample } from '../model/request-sample.js';
import { RankedHistogram } from '../stats/ranked-histogram.js';
import { SampleCollector } from './sample-collector.js';
import { syntheticSamples } from './synthetic-samples.js';

function sample(over: Partial<RequestSample>): string {
  const base: RequestSample = {
    id: 'r',
    sc: 'smoke',
    ph: 'steady',
    ep: 'infer',
    t0: 1_700_000_000_000,
    st: 200,
    ok: 1,
    e2e: 10,
    out: 8,
  };
  return JSON.stringify({ ...base, ...over });
}

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

describe('SampleCollector', () => {
  it('keeps counts, errors by kind and HDR percentiles within 0.1 % of the exact ones', () => {
    const samples = [...syntheticSamples({ samples: 20_000, seed: 11, errorRate: 0.01 })];
    const collector = new SampleCollector();
    collector.ingestChunk(Buffer.from(samples.map((s) => `${JSON.stringify(s)}\n`).join('')));
    const result = collector.result();

    expect(result.samples).toBe(samples.length);
    expect(result.invalidLines).toBe(0);
    const infer = result.byEndpoint.find((a) => a.endpoint === 'infer');
    const stream = result.byEndpoint.find((a) => a.endpoint === 'chat_stream');
    if (!infer || !stream) throw new Error('endpoints missing');
    const inferSamples = samples.filter((s) => s.ep === 'infer');
    expect(infer.count).toBe(inferSamples.length);
    expect(infer.ok).toBe(inferSamples.filter((s) => s.ok === 1).length);
    expect(infer.errors.timeout).toBe(inferSamples.filter((s) => s.err === 'timeout').length);
    expect(stream.errors.stream_cut).toBe(samples.filter((s) => s.err === 'stream_cut').length);
    expect(stream.errors.stream_cut).toBeGreaterThan(0);

    const okE2e = inferSamples.filter((s) => s.ok === 1).map((s) => s.e2e);
    const ranked = new RankedHistogram(infer.histograms.e2e);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(okE2e, q);
      expect(Math.abs(ranked.quantile(q) - exact) / exact).toBeLessThan(0.001);
    }
    const itl = samples.filter((s) => s.ok === 1).flatMap((s) => s.itl ?? []);
    expect(stream.histograms.itl.totalCount).toBe(itl.length);
    const p99Itl = exactQuantile(itl, 0.99);
    expect(Math.abs(new RankedHistogram(stream.histograms.itl).quantile(0.99) - p99Itl)).toBeLessThan(
      0.0001 + p99Itl * 0.001,
    );
    const streamOk = samples.filter((s) => s.ep === 'chat_stream' && s.ok === 1);
    expect(stream.histograms.ttft.totalCount).toBe(streamOk.length);
    expect(stream.histograms.tpot.totalCount).toBe(streamOk.length);

    // Finest slices add up to the merged ones, and the overall one to all samples.
    expect(result.groups.reduce((n, g) => n + g.count, 0)).toBe(samples.length);
    expect(result.byScenarioPhase.map((g) => g.phase).sort()).toEqual(['steady', 'warmup']);
    expect(result.overall.count).toBe(samples.length);
    expect(result.overall.histograms.e2e.totalCount).toBe(samples.filter((s) => s.ok === 1).length);
  });

  it('builds a per-second timeline that accounts for every request', () => {
    const samples = [...syntheticSamples({ samples: 5000, seed: 2, ratePerS: 500, errorRate: 0.02 })];
    const collector = new SampleCollector();
    collector.ingestChunk(Buffer.from(samples.map((s) => `${JSON.stringify(s)}\n`).join('')));
    const { timeline, timeOriginMs } = collector.result();
    expect(timeline.length).toBeGreaterThanOrEqual(10);
    expect(timeline.reduce((n, p) => n + p.started, 0)).toBe(samples.length);
    expect(timeline.reduce((n, p) => n + p.completed + p.failed, 0)).toBe(samples.length);
    const failed = samples.filter((s) => s.ok === 0).length;
    expect(timeline.reduce((n, p) => n + p.failed, 0)).toBe(failed);
    // Second 3's p99 is the exact nearest-rank p99 of the successful requests that started in it.
    const inThird = samples.filter((s) => s.ok === 1 && Math.floor((s.t0 - timeOriginMs) / 1000) === 3);
    expect(timeline[3]?.e2e?.p99).toBeCloseTo(
      exactQuantile(
        inThird.map((s) => s.e2e),
        0.99,
      ),
      1,
    );
  });

  it('joins lines split across chunks at any byte, multi-byte characters included', () => {
    const text = `${sample({ id: 'é-1', e2e: 10 })}\n${sample({ id: 'ü-2', e2e: 20, ep: 'chat' })}\r\n\n${sample({ id: '3', e2e: 30 })}`;
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const collector = new SampleCollector();
      collector.ingestChunk(bytes.subarray(0, cut));
      collector.ingestChunk(bytes.subarray(cut));
      const result = collector.result();
      expect(result.samples, `cut at ${cut}`).toBe(3);
      expect(result.invalidLines).toBe(0);
      expect([...result.table.ids]).toEqual(['é-1', 'ü-2', '3']);
    }
  });

  it('counts invalid lines with their line numbers and keeps going', () => {
    const collector = new SampleCollector();
    collector.ingestLine(sample({}));
    collector.ingestLine('not json');
    collector.ingestLine(JSON.stringify({ id: 'x', sc: 's', ph: 'p', ep: 'nope', t0: 1, e2e: 1, ok: 1 }));
    collector.ingestLine(sample({ e2e: -5 }));
    collector.ingestLine('');
    collector.ingestLine(sample({ id: 'ok-2' }));
    const result = collector.result();
    expect(result.samples).toBe(2);
    expect(result.invalidLines).toBe(3);
    expect(result.invalidExamples).toEqual([
      'line 2: not JSON',
      'line 3: ep must be one of infer, chat, chat_stream, completions',
      'line 4: e2e must be a number >= 0',
    ]);
  });

  it('answers fault joins from the request table', () => {
    const t = 1_700_000_000_000;
    const collector = new SampleCollector({ timeOriginMs: t });
    collector.ingestLine(sample({ id: 'a', t0: t + 100, e2e: 50 }));
    collector.ingestLine(sample({ id: 'b', t0: t + 1000, e2e: 30_000, ok: 0, err: 'timeout', st: 0 }));
    collector.ingestLine(
      sample({ id: 'c', t0: t + 1500, e2e: 200, ok: 0, err: 'stream_cut', ep: 'chat_stream', ttft: 20 }),
    );
    collector.ingestLine(sample({ id: 'd', t0: t + 1600, e2e: 5, ok: 0, st: 503 }));
    collector.ingestLine(sample({ id: 'c', t0: t + 2500, e2e: 40 }));
    const { table } = collector.result();
    expect(table.length).toBe(5);
    expect(table.failuresInWindow(t + 1000, t + 2000, 'start')).toMatchObject({
      total: 3,
      failed: 3,
      byKind: { timeout: 1, stream_cut: 1, unknown: 1 },
    });
    // By end time the timeout lands 30 s later.
    expect(table.failuresInWindow(t + 1000, t + 2000, 'end').byKind.timeout).toBe(0);
    expect(table.streamsCut()).toEqual(['c']);
    expect([...table.duplicateIds()]).toEqual([['c', 2]]);
    expect(table.missingIds(['a', 'b', 'z'])).toEqual(['z']);
    expect(table.row(2)).toMatchObject({ id: 'c', endpoint: 'chat_stream', ttftMs: 20, error: 'stream_cut' });
  });

  it('gives live progress: rate over the last full seconds, rolling p99 and errors', () => {
    const t = 1_700_000_000_000;
    const collector = new SampleCollector({ liveWindowS: 3 });
    // 10 seconds at 100/s, e2e 10 ms, then a slow second.
    for (let s = 0; s < 10; s++) {
      for (let i = 0; i < 100; i++)
        collector.ingestLine(sample({ id: `${s}-${i}`, t0: t + s * 1000 + i * 10, e2e: 5 }));
    }
    for (let i = 0; i < 100; i++)
      collector.ingestLine(sample({ id: `slow-${i}`, t0: t + 10_000 + i * 5, e2e: 400 }));
    collector.ingestLine(sample({ id: 'err', t0: t + 10_600, e2e: 1, ok: 0, err: 'connection', st: 0 }));
    const snap = collector.snapshot();
    expect(snap.samples).toBe(1101);
    expect(snap.ratePerS).toBe(100);
    expect(snap.p99E2eMs).toBeGreaterThan(399);
    expect(snap.errors).toBe(1);
    expect(snap.errorsByKind.connection).toBe(1);
    expect(snap.elapsedS).toBeCloseTo(10.9, 1);
  });
});
