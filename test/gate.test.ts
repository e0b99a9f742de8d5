import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunJson } from '../reports/render/write-reports.js';
import { runCli, spawnCli } from './support/cli.js';

// The release gate end to end: real stack, real k6, real reports. The quick suite (one 30 s load run) keeps
// this test short; the release suite has the same machinery with more parts.
const home = mkdtempSync(join(tmpdir(), 'gauntlet-gate-'));
const env = { GAUNTLET_HOME: home };
const healthyDir = join(home, 'healthy');
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
  let slow: Awaited<ReturnType<typeof gate>>;

  beforeAll(async () => {
    healthy = await gate(healthyDir);
    // The planted regression: every GPU step 4x slower, through the stack's own config.
    const slowConfig = join(home, 'slow.yaml');
    writeFileSync(slowConfig, 'worker:\n  slowdown: 4\n');
    slow = await gate(slowDir, ['--config', slowConfig]);
  }, 400_000);

  it('passes a healthy stack with exit 0 and writes all four reports', () => {
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
