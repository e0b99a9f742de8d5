import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunJson } from '../reports/render/write-reports.js';
import type { RunResult } from '../reports/run-result.js';
import { runCli } from './support/cli.js';

// Workloads that change capacity, end to end: real local stacks, real k6, the CLI's workload flags. One
// worker, so every request meets the same prefix cache (the batcher does not route by prefix).
const home = mkdtempSync(join(tmpdir(), 'gauntlet-workload-'));
const env = { GAUNTLET_HOME: home };
const config = join(home, 'one-gpu.yaml');
writeFileSync(
  config,
  'etcd:\n  members: 1\nbatchers:\n  replicas: 1\nnodes:\n  - name: node-a\n    gpus: 1\n',
);
// The prefix comparison runs on a GPU 3x slower: seconds of simulated GPU time per request, so that the
// shared 2-core host's own delays (hundreds of ms when it is busy) cannot decide the comparison.
const slowConfig = join(home, 'one-slow-gpu.yaml');
writeFileSync(
  slowConfig,
  'etcd:\n  members: 1\nbatchers:\n  replicas: 1\nnodes:\n  - name: node-a\n    gpus: 1\nworker:\n  slowdown: 3\n',
);

/**
 * 6,000-token prompts at 0.8 req/s on the 3x slower GPU: without a cache a prefill takes ~1.8 s, more GPU
 * time than the arrivals leave (1.46 s a second), so requests queue and TTFT grows through the run; with
 * half of every prompt cached a prefill takes ~0.9 s and the GPU keeps up (0.71 s a second). Short outputs
 * keep decode out of the comparison.
 */
function prefillRun(out: string, share: string) {
  return runCli(
    [
      'run',
      'smoke',
      '--platform',
      'local',
      '--config',
      slowConfig,
      '--rps',
      '0.8',
      '--duration',
      '15s',
      '--mix',
      'completions:1',
      '--max-tokens',
      '4',
      '--env',
      'PROMPT_TOKENS_MEAN=6000',
      '--env',
      'PROMPT_TOKENS_SD=0',
      // Seconds of queueing at 0 %: enough VUs that k6 never drops an arrival for want of one.
      '--env',
      'EXPECTED_LATENCY_MS=8000',
      '--prefix-share',
      share,
      '--no-progress',
      '--out',
      out,
    ],
    env,
    120_000,
  );
}

const runJson = (dir: string): RunResult =>
  parseRunJson(readFileSync(join(dir, 'run.json'), 'utf8'), 'run.json');

/** What went wrong in a run, for an assertion's message: error counts, notes and the failed samples. */
function failures(dir: string, run: RunResult): string {
  const failed = readFileSync(join(dir, 'load', '1-smoke', 'samples.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { ok?: number; itl?: unknown })
    .filter((sample) => sample.ok !== 1)
    .map(({ itl: _itl, ...rest }) => JSON.stringify(rest));
  return [JSON.stringify(run.metrics.overall.errors), ...run.notes, ...failed].join('\n');
}

describe('workload options', () => {
  let unshared: RunResult;
  let shared: RunResult;

  beforeAll(async () => {
    const none = await prefillRun(join(home, 'none'), '0');
    expect(none.code, none.stdout + none.stderr).not.toBe(3);
    const half = await prefillRun(join(home, 'half'), '0.5');
    expect(half.code, half.stdout + half.stderr).not.toBe(3);
    unshared = runJson(join(home, 'none'));
    shared = runJson(join(home, 'half'));
  }, 300_000);

  it('a 50 % shared prefix hits the workers prefix cache and cuts TTFT against 0 %', () => {
    expect(shared.config.run).toMatchObject({ workload: { prefixShare: 0.5, turns: 1, cancelShare: 0 } });
    expect(unshared.config.run).toMatchObject({ workload: { prefixShare: 0 } });
    const note = shared.notes.find((n) => n.startsWith('prefix cache'));
    const rate = Number(/\(([\d.]+) %\)/.exec(note ?? '')?.[1]);
    // Every prompt but the very first finds its first half cached (whole blocks only).
    expect(rate, note).toBeGreaterThan(40);
    expect(rate, note).toBeLessThanOrEqual(50);
    expect(unshared.notes.find((n) => n.startsWith('prefix cache'))).toMatch(/\(0\.0 %\)/);
    expect(shared.serverMetrics.series.some((s) => s.gauge === 'prefix_cache_hit_ratio')).toBe(true);

    const ttft = (run: RunResult) => run.metrics.overall.ttft?.p50.value ?? Number.NaN;
    expect(shared.metrics.overall.ok).toBeGreaterThanOrEqual(10);
    expect(unshared.metrics.overall.ok).toBeGreaterThanOrEqual(10);
    // Half the prefill per request, and a GPU that keeps up instead of queueing: the median TTFT halves.
    expect(ttft(shared), `${ttft(shared)} vs ${ttft(unshared)} ms`).toBeLessThan(ttft(unshared) * 0.5);
  });

  it("a conversation's later turns hit the prefix cache with the turns before them", async () => {
    const out = join(home, 'turns');
    const result = await runCli(
      [
        'run',
        'smoke',
        '--platform',
        'local',
        '--config',
        config,
        '--rps',
        '4',
        '--duration',
        '8s',
        '--mix',
        'chat_stream:1',
        '--max-tokens',
        '16',
        '--turns',
        '4',
        '--conversations',
        '2',
        '--no-progress',
        '--out',
        out,
      ],
      env,
      120_000,
    );
    expect(result.code, result.stdout + result.stderr).not.toBe(3);
    const run = runJson(out);
    expect(run.config.run).toMatchObject({ workload: { turns: 4, conversations: 2, prefixShare: 0 } });
    const note = run.notes.find((n) => n.startsWith('prefix cache'));
    // Turns 1-3 resend 256, ~528 and ~800 tokens of earlier turns out of ~528, ~800 and ~1,072: about 60 %
    // of all prompt tokens; requests on their own (TURNS 1) share nothing (the first test's 0 % run).
    expect(Number(/\(([\d.]+) %\)/.exec(note ?? '')?.[1]), note).toBeGreaterThan(35);
    expect(run.metrics.overall.errorRate, failures(out, run)).toBe(0);
  }, 150_000);

  it('clients that cancel midway get their sequences dropped by the workers', async () => {
    const out = join(home, 'cancel');
    const result = await runCli(
      [
        'run',
        'smoke',
        '--platform',
        'local',
        '--config',
        config,
        '--rps',
        '4',
        '--duration',
        '8s',
        '--mix',
        'chat_stream:1',
        // ~300 steps of ~13 ms: 4 s a stream if nobody stops it.
        '--max-tokens',
        '300',
        '--cancel-share',
        '0.5',
        '--cancel-after-ms',
        '600',
        '--no-progress',
        '--out',
        out,
      ],
      env,
      120_000,
    );
    expect(result.code, result.stdout + result.stderr).not.toBe(3);
    const run = runJson(out);
    expect(run.config.run).toMatchObject({ workload: { cancelShare: 0.5, cancelAfterMs: 600 } });
    const iterations = run.scenarios[0]?.iterations ?? 0;
    const recorded = run.metrics.overall.count;
    const cancelled = Number(/cancelled by their clients: (\d+)/.exec(run.notes.join('\n'))?.[1] ?? 0);
    // Roughly half the streams were given up, and the workers dropped nearly as many sequences. Not
    // exactly as many: a stream given up while its sequence still waits in the batcher's queue never
    // reaches a worker, and one may end on its own in the moment its client gives up (17 given up, 15
    // dropped, was seen on a busy host). A cancel that never reaches the workers drops none at all.
    const givenUp = iterations - recorded;
    expect(givenUp).toBeGreaterThan(iterations * 0.3);
    expect(cancelled).toBeLessThanOrEqual(givenUp + 1);
    expect(cancelled).toBeGreaterThanOrEqual(Math.floor(0.8 * givenUp));
    // The streams read to the end are all complete: a cancel elsewhere in their batch did not cut them.
    expect(run.metrics.overall.errorRate, failures(out, run)).toBe(0);
  }, 150_000);
});
