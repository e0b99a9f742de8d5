import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunJson } from '../reports/render/write-reports.js';
import { startPrometheus } from '../runner/prometheus/prometheus-server.js';
import { runCli, spawnCli } from './support/cli.js';
import { processesWithArg } from './support/process-args.js';

// The release gate end to end: real stack, real k6, real reports. The quick suite (one 30 s load run) keeps
// this test short; the release suite has the same machinery with more parts.
const home = mkdtempSync(join(tmpdir(), 'gauntlet-gate-'));
const env = { GAUNTLET_HOME: home };
const healthyDir = join(home, 'healthy');
// The healthy gate keeps its own Prometheus where the host has one (setup installs it): the same run shows
// that `gate --prometheus` scrapes the stack and k6 into a TSDB that outlives it.
const hasPrometheus = existsSync('/usr/bin/prometheus');
const slowDir = join(home, 'slow');

function gate(out: string, extra: string[] = []) {
  return runCli(
    [
      'gate',
      '--platform',
      'local',
      '--suite',
      'quick',
      // The suite's default rate: it is sized to decide every SLO at it (no higher rate to hide a shortfall).
      '--no-progress',
      '--out',
      out,
      ...extra,
    ],
    env,
    180_000,
  );
}

describe('gauntlet gate', () => {
  let healthy: Awaited<ReturnType<typeof gate>>;
  let firstInconclusive: Awaited<ReturnType<typeof gate>> | undefined;
  let slow: Awaited<ReturnType<typeof gate>>;

  beforeAll(async () => {
    const prometheus = hasPrometheus ? ['--prometheus'] : [];
    healthy = await gate(healthyDir, prometheus);
    // A healthy stack must never fail. The quick suite holds about the 563 samples a p99's interval needs,
    // so two slow answers (a neighbour's burst on this shared host) leave the interval open: exit 2,
    // inconclusive, saying how many samples would decide. That is the honest answer, not a defect (one CI
    // run read p99 196 ms, interval [189, 349] ms at n=601); the gate then runs once more and must pass.
    if (healthy.code === 2) {
      firstInconclusive = healthy;
      renameSync(healthyDir, `${healthyDir}-inconclusive`);
      healthy = await gate(healthyDir, prometheus);
    }
    // The planted regression: every GPU step 4x slower, through the stack's own config. Its gate sends
    // /infer alone: the suite is then sized for one p99 instead of two (35 s of load instead of 58 s), and
    // the SLO it must fail is that one; the stream's SLO is not_applicable, which this test does not judge.
    const slowConfig = join(home, 'slow.yaml');
    writeFileSync(slowConfig, 'worker:\n  slowdown: 4\n');
    slow = await gate(slowDir, ['--config', slowConfig, '--mix', 'infer:1']);
  }, 400_000);

  it('passes a healthy stack with exit 0 and writes all four reports', () => {
    if (firstInconclusive) {
      const first = firstInconclusive.stdout;
      expect(first, first).toMatch(/^verdict: INCONCLUSIVE/m);
      expect(first, first).not.toMatch(/^\s+fail\s/m);
    }
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.stdout).toMatch(/^verdict: PASS/m);
    for (const file of ['run.json', 'junit.xml', 'summary.md', 'report.html']) {
      expect(existsSync(join(healthyDir, file)), file).toBe(true);
    }
    const run = parseRunJson(readFileSync(join(healthyDir, 'run.json'), 'utf8'), 'run.json');
    expect(run.verdict).toBe('pass');
    expect(run.complete).toBe(true);
    expect(run.slos.every((s) => s.verdict === 'pass')).toBe(true);
    // Each p99 got the samples a 95 % interval needs at the default rate.
    for (const slo of run.slos.filter((s) => s.stat === 'p99'))
      expect(slo.samples).toBeGreaterThanOrEqual(563);
    // The services' event-loop delay is scraped alongside (the host-overload evidence).
    expect(
      run.serverMetrics.series.some((s) => s.gauge === 'event_loop_delay_max' && s.points.length > 10),
    ).toBe(true);
    expect(run.serverMetrics.series.some((s) => s.gauge === 'queue_depth' && s.points.length > 10)).toBe(
      true,
    );
    const junit = readFileSync(join(healthyDir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)?.length).toBeGreaterThanOrEqual(run.slos.length);
  });

  it('fails the planted 4x GPU slowdown with exit 1, naming the latency SLO', () => {
    expect(slow.code, slow.stdout + slow.stderr).toBe(1);
    expect(slow.stdout).toMatch(/^\s+fail\s+infer-p99-e2e/m);
    const run = parseRunJson(readFileSync(join(slowDir, 'run.json'), 'utf8'), 'run.json');
    expect(run.slos.find((s) => s.id === 'infer-p99-e2e')?.verdict).toBe('fail');
    expect(readFileSync(join(slowDir, 'junit.xml'), 'utf8')).toMatch(
      /<failure[^>]*>[^<]*infer-p99-e2e|infer-p99-e2e[\s\S]*<failure/,
    );
  });

  it.skipIf(!hasPrometheus)(
    "--prometheus leaves a Prometheus whose series cover the run, named as the source of the report's server charts",
    async () => {
      const out = healthyDir;
      const url = /prometheus: (http:\/\/127\.0\.0\.1:\d+)/.exec(healthy.stderr)?.[1];
      expect(url, healthy.stderr).toBeDefined();

      // run.json and the HTML report name the run's own Prometheus as the source of the server series.
      const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
      const dataDir = join(out, 'prometheus', 'data');
      expect(run.serverMetrics.source).toEqual({
        kind: 'prometheus',
        url,
        selector: expect.stringMatching(/^gauntlet_run="[^"]+"$/),
        dataDir,
      });
      const selector = run.serverMetrics.source?.selector ?? '';
      const runId = /"(.+)"/.exec(selector)?.[1] ?? '';
      // The HTML escapes the quotes of the selector and the apostrophe.
      const html = (text: string) => text.replaceAll('"', '&quot;').replaceAll("'", '&#39;');
      expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(
        html(`source: Prometheus ${url} {${selector}} (the run's own; TSDB kept in ${dataDir})`),
      );
      const replicas = run.serverMetrics.series.find(
        (s) => s.component === 'workers' && s.gauge === 'replicas',
      );
      expect(replicas?.points.length).toBeGreaterThan(10);
      // The reference stack's four workers.
      expect(Math.max(...(replicas?.points ?? []).map((p) => p[1]))).toBe(4);

      // Nothing left running: the run's Prometheus is down and its port closed.
      expect(processesWithArg(`--config.file=${join(out, 'prometheus', 'prometheus.yml')}`)).toEqual([]);
      await expect(fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();

      // The TSDB it left covers the run: k6's series over the load, the stack's scrapes before and after it.
      await using reopened = await startPrometheus({ runId, dir: join(out, 'prometheus') });
      const sampleTimes = async (series: string) => {
        const params = new URLSearchParams({
          query: `timestamp(${series})`,
          start: String(Date.parse(run.startedAt) / 1000),
          end: String(Date.parse(run.endedAt) / 1000 + 60),
          step: '1',
        });
        const body = (await (await fetch(`${reopened.url}/api/v1/query_range?${params}`)).json()) as {
          data: { result: Array<{ values: Array<[number, string]> }> };
        };
        const times = (body.data.result[0]?.values ?? []).map(([, v]) => Number(v));
        return { first: Math.min(...times), last: Math.max(...times) };
      };
      const k6 = await sampleTimes(`sum(k6_vus{testid="${runId}"})`);
      const gateway = await sampleTimes(`max(up{${selector},role="gateway"})`);
      const loadS = run.scenarios.reduce((sum, s) => sum + s.durationS, 0);
      expect(loadS).toBeGreaterThan(10);
      expect(k6.last - k6.first).toBeGreaterThan(0.8 * loadS);
      expect(gateway.first).toBeLessThanOrEqual(k6.first);
      expect(gateway.last).toBeGreaterThanOrEqual(k6.last);
    },
    60_000,
  );

  it('compare flags the regression between the two runs (exit 1) and not a run against itself (exit 0)', async () => {
    const regressed = await runCli(['compare', healthyDir, slowDir], env);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toMatch(/regression/);
    const same = await runCli(['compare', healthyDir, healthyDir], env);
    expect(same.code, same.stdout).toBe(0);
  });

  it('report re-renders from run.json alone', async () => {
    writeFileSync(join(healthyDir, 'summary.md'), 'stale');
    const result = await runCli(['report', healthyDir], env);
    expect(result.code).toBe(0);
    expect(readFileSync(join(healthyDir, 'summary.md'), 'utf8')).toMatch(/pass/i);
  });
});

describe('an interrupted run', () => {
  it('still writes what it measured, marked incomplete, and leaves nothing running', async () => {
    const out = join(home, 'interrupted');
    const child = spawnCli(
      [
        'run',
        'load',
        '--platform',
        'local',
        '--rps',
        '20',
        '--duration',
        '60s',
        '--no-progress',
        '--out',
        out,
      ],
      env,
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Let the load run for a few seconds, then Ctrl-C.
    const started = Date.now();
    while (!stderr.includes('load:') && Date.now() - started < 60_000)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 6_000));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
    expect(run.complete).toBe(false);
    expect(run.verdict).not.toBe('pass');
    expect(run.collection.samples).toBeGreaterThan(20);
    expect(run.notes.join('\n')).toMatch(/interrupted/);
    const status = await runCli(['status'], env);
    expect(status.stdout).toMatch(/no stack is running/);
  }, 120_000);
});
