import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../core/project-root.js';
import { K6NotFoundError, resolveK6Binary } from './k6-binary.js';
import { type KnownLatencyServer, startKnownLatencyServer } from './known-latency-server.js';
import { projectK6 } from './project-k6.js';
import { type K6Progress, runK6 } from './run-k6.js';

/** The runner against the real k6 and the real scenarios: stopping, k6's own failures, aborting thresholds. */
describe('runK6', () => {
  let server: KnownLatencyServer;
  let dir: string;
  let runs = 0;
  const outDir = () => join(dir, `run-${++runs}`);

  beforeAll(async () => {
    server = await startKnownLatencyServer();
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-run-k6-'));
  });

  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stop() interrupts k6, which still writes its summary', async () => {
    projectK6();
    await using run = runK6({
      script: 'scenarios/smoke.ts',
      outDir: outDir(),
      env: {
        GAUNTLET_TARGET: server.url,
        RATE: '20',
        DURATION: '60s',
        ENDPOINT_MIX: 'infer',
        MAX_TOKENS: '1',
      },
      progressIntervalMs: 200,
    });
    const progress: K6Progress[] = [];
    run.events.on('progress', (p) => progress.push(p));
    // Bounded wait for the first samples: 20 s at most.
    for (let i = 0; i < 100 && (progress.at(-1)?.samples ?? 0) < 10; i++) await sleep(200);
    expect(progress.at(-1)?.samples).toBeGreaterThanOrEqual(10);
    const result = await run.stop();
    expect(result).toMatchObject({
      exitCode: 105,
      aborted: true,
      abortReason: 'stopped',
      thresholdsFailed: false,
    });
    expect(result.failure).toBeUndefined();
    expect(result.wallMs).toBeLessThan(40_000);
    expect(result.summary?.iterations).toBeGreaterThanOrEqual(10);
    const lines = (await readFile(result.samplesFile, 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(await run.done).toBe(result);
  });

  it("reports k6's own failure with the line that says why", async () => {
    projectK6();
    const run = runK6({
      script: 'scenarios/load.ts',
      outDir: outDir(),
      env: { GAUNTLET_TARGET: server.url, RATE: 'fast' },
    });
    const result = await run.done;
    expect(result.aborted).toBe(true);
    expect(result.abortReason).toBe('error');
    expect(result.exitCode).not.toBe(0);
    expect(result.failure).toContain("RATE: must be a number >= 0.001 <= 1000000, got 'fast'");
  });

  it('tells a threshold that aborted the run (breakpoint) from the end of the schedule', async () => {
    projectK6();
    const run = runK6({
      script: 'scenarios/breakpoint.ts',
      outDir: outDir(),
      env: {
        GAUNTLET_TARGET: server.url,
        RATE: '20',
        START_RATE: '20',
        MAX_RATE: '40',
        DURATION: '60s',
        WARMUP: '0',
        ENDPOINT_MIX: 'infer',
        // /infer takes 50 ms: an SLO of 10 ms breaks at once.
        SLO_E2E_P99_MS: '10',
        DELAY_ABORT_EVAL: '1s',
      },
    });
    const result = await run.done;
    expect(result).toMatchObject({
      exitCode: 99,
      thresholdsFailed: true,
      aborted: true,
      abortReason: 'thresholds',
    });
    expect(result.wallMs).toBeLessThan(30_000);
    const failed = result.summary?.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression}`);
    expect(failed).toEqual(['gauntlet_e2e_ms{phase:ramp} p(99)<10']);
  });

  it('refuses a samples file that already holds samples', async () => {
    projectK6();
    const folder = outDir();
    const run = runK6({ script: 'scenarios/smoke.ts', outDir: folder, env: { GAUNTLET_TARGET: 'bad' } });
    await run.done;
    expect(() => runK6({ script: 'scenarios/smoke.ts', outDir: folder, samplesFile: run.logFile })).toThrow(
      `samples file ${run.logFile} already holds samples`,
    );
  });
});

describe('resolveK6Binary', () => {
  it("prefers the project's k6 and explains how to get one", () => {
    expect(resolveK6Binary('')).toBe(join(projectRoot(), '.tools', 'bin', 'k6'));
    expect(new K6NotFoundError(['/x/k6', 'PATH']).message).toMatch(
      /k6 was not found \(looked at \/x\/k6, PATH\): run `npm run setup`/,
    );
  });
});
