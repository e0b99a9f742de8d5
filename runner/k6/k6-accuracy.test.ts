import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestSample } from '../../reports/model/request-sample.js';
import { K6LoadDriver } from '../load/k6-load-driver.js';
import type { LoadOutcome, LoadProgress } from '../load/load-driver.js';
import { type KnownLatencyServer, startKnownLatencyServer } from './known-latency-server.js';
import { projectK6 } from './project-k6.js';

const rate = 50;
const durationS = 5;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) throw new Error('no values');
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * The load path checked against a server of known latency (shared/notes/platform-facts.md): /infer answers
 * after exactly 50 ms, the chat stream sends 5 tokens 20 ms apart. The real k6, the real scenario file
 * (scenarios/load.ts) and the real driver, at a constant 50 requests a second for 5 s.
 */
describe('k6 load path against a known-latency server', () => {
  let server: KnownLatencyServer;
  let outDir: string;
  let outcome: LoadOutcome;
  let samples: RequestSample[];
  const progress: LoadProgress[] = [];
  let setupError: Error | undefined;
  const ready = () => {
    if (setupError) throw setupError;
  };

  beforeAll(async () => {
    try {
      projectK6();
    } catch (error) {
      // Every test fails with this (a failed beforeAll would only mark them skipped).
      setupError = error as Error;
      return;
    }
    server = await startKnownLatencyServer({ inferDelayMs: 50, streamTokens: 5, tokenGapMs: 20 });
    outDir = await mkdtemp(join(tmpdir(), 'gauntlet-k6-accuracy-'));
    const run = await new K6LoadDriver().start({
      scenario: 'load',
      target: server.url,
      rate,
      durationS,
      seed: 3,
      endpointMix: { infer: 0.5, chat_stream: 0.5 },
      maxTokens: 5,
      outDir,
      env: { WARMUP: '0', MODEL: 'known', EXPECTED_LATENCY_MS: '150', REQUEST_TIMEOUT_MS: '5000' },
    });
    run.onProgress((p) => progress.push(p));
    outcome = await run.done;
    const text = await readFile(run.samplesFile, 'utf8');
    samples = text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as RequestSample);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('ran the whole schedule without falling behind', () => {
    ready();
    expect(outcome.failure).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
    expect(outcome.aborted).toBe(false);
    expect(outcome.droppedIterations).toBe(0);
    const lag = outcome.scheduleLagMs;
    console.info(
      `schedule lag p50 ${lag?.med.toFixed(2)} p99 ${lag?.p99.toFixed(2)} max ${lag?.max.toFixed(2)} ms`,
    );
    // Late starts beyond this would mean the generator itself distorts the schedule.
    expect(lag?.med).toBeLessThan(5);
    // k6 may start one more iteration at exactly the phase's end.
    expect(outcome.iterations).toBeGreaterThanOrEqual(rate * durationS);
    expect(outcome.iterations).toBeLessThanOrEqual(rate * durationS + 1);
    expect(outcome.scheduleLagMs?.count).toBeGreaterThanOrEqual(rate * durationS);
    expect(progress.length).toBeGreaterThan(0);
  });

  it('recorded one sample per request, with unique ids that the server saw', () => {
    ready();
    expect(samples).toHaveLength(outcome.iterations);
    const ids = new Set(samples.map((s) => s.id));
    expect(ids.size).toBe(samples.length);
    expect(new Set(server.requestIds)).toEqual(ids);
    expect(server.requests).toBe(samples.length);
    // The last progress event comes after k6 exited, with the final count.
    expect(progress.at(-1)?.samples).toBe(samples.length);
    expect(samples.every((s) => s.ok === 1 && s.st === 200 && s.sc === 'load' && s.ph === 'steady')).toBe(
      true,
    );
  });

  it('kept the arrival rate', () => {
    ready();
    const t0s = samples.map((s) => s.t0).sort((a, b) => a - b);
    const first = t0s[0] as number;
    const last = t0s[t0s.length - 1] as number;
    const achieved = ((t0s.length - 1) * 1000) / (last - first);
    console.info(`achieved rate ${achieved.toFixed(2)} req/s over ${(last - first).toFixed(0)} ms`);
    expect(Math.abs(achieved - rate) / rate).toBeLessThan(0.02);
  });

  it('measured /infer at 50 ms', () => {
    ready();
    const e2e = samples.filter((s) => s.ep === 'infer').map((s) => s.e2e);
    expect(e2e.length).toBeGreaterThan(rate * durationS * 0.35);
    const p50 = percentile(e2e, 50);
    const p99 = percentile(e2e, 99);
    console.info(`/infer e2e p50 ${p50} ms p99 ${p99} ms min ${Math.min(...e2e)} ms (n=${e2e.length})`);
    expect(p50).toBeGreaterThanOrEqual(50);
    expect(p50).toBeLessThanOrEqual(58);
    expect(Math.min(...e2e)).toBeGreaterThanOrEqual(50);
    // Tails depend on how busy the machine is (2 shared cores in CI): bounded only against stalls.
    expect(p99).toBeLessThan(250);
  });

  it('measured the stream: TTFT 20 ms, ITL 20 ms, 5 tokens, e2e 100 ms', () => {
    ready();
    const streams = samples.filter((s) => s.ep === 'chat_stream');
    expect(streams.length).toBeGreaterThan(rate * durationS * 0.35);
    const ttft = streams.map((s) => s.ttft ?? Number.NaN);
    const itl = streams.flatMap((s) => s.itl ?? []);
    const e2e = streams.map((s) => s.e2e);
    const tpot = streams.map((s) => (s.e2e - (s.ttft ?? 0)) / (s.out - 1));
    const line = (name: string, v: number[]) =>
      `${name} p50 ${percentile(v, 50).toFixed(2)} p99 ${percentile(v, 99).toFixed(2)} min ${Math.min(...v).toFixed(2)}`;
    console.info([line('ttft', ttft), line('itl', itl), line('tpot', tpot), line('e2e', e2e)].join('\n'));
    expect(streams.filter((s) => s.out !== 5 || s.itl?.length !== 4)).toEqual([]);
    expect(Math.min(...ttft)).toBeGreaterThanOrEqual(20);
    expect(percentile(ttft, 50)).toBeGreaterThanOrEqual(20);
    expect(percentile(ttft, 50)).toBeLessThanOrEqual(30);
    expect(percentile(ttft, 99)).toBeLessThan(200);
    expect(percentile(itl, 50)).toBeGreaterThanOrEqual(18);
    expect(percentile(itl, 50)).toBeLessThanOrEqual(22);
    expect(percentile(tpot, 50)).toBeGreaterThanOrEqual(19);
    expect(percentile(tpot, 50)).toBeLessThanOrEqual(22);
    expect(percentile(e2e, 50)).toBeGreaterThanOrEqual(100);
    expect(percentile(e2e, 50)).toBeLessThanOrEqual(110);
  });
});
