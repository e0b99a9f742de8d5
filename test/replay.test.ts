import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunJson } from '../reports/render/write-reports.js';
import type { RunResult } from '../reports/run-result.js';
import { sampleTraceRows, toAzureCsv } from '../runner/replay/sample-traces.js';
import type { ReplaySchedule } from '../scenarios/lib/replay-schedule.ts';
import { type CliResult, runCli, writeSmallConfig } from './support/cli.js';

// Trace replay end to end: a small Azure-format trace (generated here, seeded) fired by real k6 at a real
// local stack, then that run's own samples replayed twice as fast. The bound the timestamps are held to is
// the verdicts' own: no request sent more than 100 ms after the trace's time (MAX_SCHEDULING_LAG_MS), and
// half of them within 10 ms. Both need a CPU for k6 when a request is due: on a host so busy that the
// stack's own timers fired over 100 ms late during the run (its event-loop delay, scraped into run.json),
// the test holds the run to saying so instead (schedule error over its limit, latency verdicts not pass).
const home = mkdtempSync(join(tmpdir(), 'gauntlet-replay-'));
const env = { GAUNTLET_HOME: home };
const config = writeSmallConfig(home);
const rows = sampleTraceRows({ seed: 5, requests: 30, ratePerS: 10, outputMean: 12, outputMax: 32 });
const traceFile = join(home, 'azure-code-sample.csv');
writeFileSync(traceFile, toAzureCsv(rows));
const firstDir = join(home, 'first');
const againDir = join(home, 'again');

const replay = (args: string[], out: string) =>
  runCli(
    ['run', 'replay', '--platform', 'local', '--config', config, '--no-progress', '--out', out, ...args],
    env,
    180_000,
  );
const runJson = (dir: string): RunResult =>
  parseRunJson(readFileSync(join(dir, 'run.json'), 'utf8'), 'run.json');
const samplesOf = (dir: string) =>
  readFileSync(join(dir, 'load', '1-replay', 'samples.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(
      (line) =>
        JSON.parse(line) as { id: string; ep: string; t0: number; in?: number; out: number; ok: number },
    );
const indexOf = (id: string) => Number(/-replay-(\d+)-v/.exec(id)?.[1]);

/** The largest event-loop delay any service of the stack saw during the run: how busy the host was. */
const hostDelayMs = (run: RunResult) =>
  Math.max(
    0,
    ...run.serverMetrics.series
      .filter((s) => s.gauge === 'event_loop_delay_max')
      .flatMap((s) => s.points.map(([, value]) => value)),
  );

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('gauntlet run replay', () => {
  let first: CliResult;
  let again: CliResult;

  beforeAll(async () => {
    first = await replay(['--trace', traceFile], firstDir);
    again = await replay(['--trace', firstDir, '--speedup', '2'], againDir);
  }, 400_000);

  it('fires every request of an Azure trace, with its lengths, at its timestamps', () => {
    // 0 pass, 1 fail, 2 inconclusive are verdicts on the stack; 3 would be the harness's own failure.
    expect([0, 1, 2], first.stdout + first.stderr).toContain(first.code);
    const replayed = runJson(firstDir).scenarios[0]?.replay;
    expect(replayed).toMatchObject({
      format: 'azure-csv',
      speedup: 1,
      traceRequests: rows.length,
      scheduledRequests: rows.length,
      sentRequests: rows.length,
      recordedRequests: rows.length,
    });
    const error = replayed?.scheduleErrorMs;
    const limitMs = replayed?.scheduleErrorLimitMs ?? 0;
    expect(error?.n).toBe(rows.length);
    const hostMs = hostDelayMs(runJson(firstDir));
    if (hostMs <= limitMs) {
      expect(error?.p50, JSON.stringify(error)).toBeLessThanOrEqual(10);
      expect(error?.max, JSON.stringify(error)).toBeLessThanOrEqual(limitMs);
    } else {
      // A host this busy can starve k6 too: then the run must say its timestamps did not hold, if they did not.
      console.info(
        `host busy (event-loop delay up to ${hostMs} ms): schedule error ${JSON.stringify(error)}`,
      );
      if ((error?.max ?? 0) > limitMs) {
        expect(readFileSync(join(firstDir, 'summary.md'), 'utf8')).toContain(
          'exceeded: latency verdicts are inconclusive',
        );
        expect(
          runJson(firstDir)
            .slos.filter((s) => s.unit === 'ms')
            .every((s) => s.verdict !== 'pass'),
        ).toBe(true);
      }
    }

    const schedule = JSON.parse(
      readFileSync(join(firstDir, 'replay-schedule.json'), 'utf8'),
    ) as ReplaySchedule;
    const samples = samplesOf(firstDir);
    expect(samples).toHaveLength(rows.length);
    expect(new Set(samples.map((s) => indexOf(s.id)))).toEqual(new Set(rows.keys()));
    const start = Math.min(...samples.map((s) => s.t0 - (schedule.requests[indexOf(s.id)]?.[0] ?? 0)));
    for (const sample of samples) {
      const index = indexOf(sample.id);
      const row = rows[index];
      // Sent in the trace's order and spacing: the gap to the first send is the trace's, within the bound.
      expect(sample.t0 - start - (schedule.requests[index]?.[0] ?? 0)).toBeLessThanOrEqual(
        Math.max(limitMs, error?.max ?? 0) + 1,
      );
      if (sample.ok !== 1 || !row) continue;
      expect(sample.out).toBe(row.outputTokens);
      // The gateway counts the prompt as the trace does; chat adds its template's few tokens.
      if (sample.ep === 'infer') expect(sample.in).toBe(row.inputTokens);
      else expect((sample.in ?? 0) - row.inputTokens).toBeLessThanOrEqual(8);
    }
    expect(readFileSync(join(firstDir, 'summary.md'), 'utf8')).toMatch(
      /### Trace replay[\s\S]*30 of 30 trace requests scheduled, 30 sent, 30 recorded \| p50 /,
    );
  });

  it("replays a run's own samples twice as fast, keeping each request's endpoint", () => {
    expect([0, 1, 2], again.stdout + again.stderr).toContain(again.code);
    const replayed = runJson(againDir).scenarios[0]?.replay;
    const okFirst = samplesOf(firstDir).filter((s) => (s.in ?? 0) >= 1 && s.out >= 1);
    expect(replayed).toMatchObject({ format: 'gauntlet-samples', speedup: 2, sentRequests: okFirst.length });
    expect(replayed?.recordedRequests).toBe(okFirst.length);
    const count = (samples: Array<{ ep: string }>, ep: string) => samples.filter((s) => s.ep === ep).length;
    const secondSamples = samplesOf(againDir);
    for (const ep of ['infer', 'chat_stream']) expect(count(secondSamples, ep)).toBe(count(okFirst, ep));
    const span = (samples: Array<{ t0: number }>) =>
      Math.max(...samples.map((s) => s.t0)) - Math.min(...samples.map((s) => s.t0));
    // The span of the sends, halved, within what the two runs' own schedule errors can add.
    const slack =
      (replayed?.scheduleErrorMs?.max ?? 0) +
      (runJson(firstDir).scenarios[0]?.replay?.scheduleErrorMs?.max ?? 0);
    expect(Math.abs(span(secondSamples) - span(okFirst) / 2)).toBeLessThanOrEqual(Math.max(100, slack));
  });

  it('refuses a bad trace before any stack comes up, naming file, line, field and what is allowed', async () => {
    const bad = join(home, 'bad.csv');
    writeFileSync(bad, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,12,none\n');
    const result = await runCli(
      ['run', 'replay', '--platform', 'local', '--trace', bad, '--out', join(home, 'bad')],
      env,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`trace ${bad}:2: GeneratedTokens: 'none' is not an integer >= 1`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toMatch(/stack ready/);
  });
});
