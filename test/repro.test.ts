import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunJson } from '../reports/render/write-reports.js';
import { type CliResult, runCli, smallConfigYaml, writeSmallConfig } from './support/cli.js';

// repro and ab end to end: real stacks, real k6. Sized to be decisive on a shared 2-core machine in as
// little time as that allows: one endpoint (infer) at 20 req/s, a 5 s warm-up (a cold stack on a busy
// host is slow for its first seconds; repro compares latency without the warm-up), and 20 s of steady
// load: ~400 samples, whose median interval is a few per cent wide (repro needs it within 10 %). The
// planted difference is a 3x slower GPU (worker.slowdown), ~0.45 s instead of ~0.15 s a request: more than
// the scheduling lag or event-loop delay of a busy host explains, and still inside the small stack's
// capacity at 20 req/s (at 6x it queued without bound: p50 14 s, and each slow run drained for 25 s).
const home = mkdtempSync(join(tmpdir(), 'gauntlet-repro-'));
const env = { GAUNTLET_HOME: home };
const small = writeSmallConfig(home);
const slow = join(home, 'slow.yaml');
writeFileSync(slow, `${smallConfigYaml}worker:\n  slowdown: 3\n`);
const original = join(home, 'original');
const load = [
  '--rps',
  '20',
  '--duration',
  '20s',
  '--mix',
  'infer:1',
  '--env',
  'WARMUP=5s',
  // VUs for 8 s latency: a cold stack on a busy host answers in seconds at first, and a generator out of
  // VUs drops iterations, which makes its run's latency a lower bound.
  '--env',
  'EXPECTED_LATENCY_MS=8000',
  '--no-progress',
];

const show = (r: CliResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

describe('gauntlet repro', () => {
  let first: CliResult;
  beforeAll(async () => {
    first = await runCli(
      ['run', 'load', '--platform', 'local', '--config', small, ...load, '--out', original],
      env,
      180_000,
    );
  }, 200_000);

  it('records the plan a rerun needs in run.json', () => {
    expect([0, 1, 2], show(first)).toContain(first.code);
    const run = parseRunJson(readFileSync(join(original, 'run.json'), 'utf8'), 'run.json');
    expect(run.plan?.parts).toEqual([
      expect.objectContaining({
        kind: 'load',
        scenario: 'load',
        rate: 20,
        durationS: 20,
        seed: 1,
        endpointMix: 'infer:1',
      }),
    ]);
    expect(run.plan?.slos.length).toBeGreaterThan(0);
    expect(run.config.cluster).toMatchObject({ etcd: { members: 1 }, worker: { slowdown: 1 } });
  });

  it('says "reproduced" (exit 0) for a rerun on the same healthy stack config', async () => {
    const result = await runCli(
      ['repro', original, '--no-progress', '--out', join(home, 'same')],
      env,
      180_000,
    );
    expect(result.stdout, show(result)).toMatch(/^Gauntlet repro: reproduced$/m);
    expect(result.code, show(result)).toBe(0);
    const report = JSON.parse(readFileSync(join(home, 'same', 'repro.json'), 'utf8')) as { outcome: string };
    expect(report.outcome).toBe('reproduced');
    expect(readFileSync(join(home, 'same', 'repro.md'), 'utf8')).toMatch(/# Gauntlet repro: REPRODUCED/);
  }, 200_000);

  it('says "not reproduced" (exit 1) when the rerun runs a 3x slower GPU, naming what moved and the config change', async () => {
    const result = await runCli(
      ['repro', original, '--config', slow, '--no-progress', '--out', join(home, 'slow')],
      env,
      180_000,
    );
    expect(result.stdout, show(result)).toMatch(/^Gauntlet repro: not reproduced$/m);
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/p50 e2e \(infer\): .* \(worse in the rerun\)/);
    expect(result.stdout).toMatch(/warning: stack config differs: worker\.slowdown: 1 -> 3/);
  }, 200_000);

  it('refuses bad input with a clear message and exit 3, never a stack trace', async () => {
    const empty = join(home, 'empty');
    mkdirSync(empty);
    const none = await runCli(['repro', empty], env);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/empty\/run\.json: not found/);
    expect(none.stderr).not.toMatch(/\n\s+at /);
    // A run.json from before plans were recorded.
    const old = join(home, 'old');
    mkdirSync(old);
    const run = JSON.parse(readFileSync(join(original, 'run.json'), 'utf8')) as Record<string, unknown>;
    delete run.plan;
    writeFileSync(join(old, 'run.json'), JSON.stringify(run));
    const legacy = await runCli(['repro', old], env);
    expect(legacy.code).toBe(3);
    expect(legacy.stderr).toMatch(/old\/run\.json: plan: missing\. .*plan\.parts .*plan\.slos/);
    expect(legacy.stderr).not.toMatch(/\n\s+at /);
  }, 180_000);
});

describe('gauntlet ab', () => {
  it('says B differs significantly (exit 1) for a 3x slower GPU, with the same seed on both sides', async () => {
    const out = join(home, 'ab');
    const result = await runCli(
      ['ab', 'load', '--config', small, '--config', slow, '--platform', 'local', ...load, '--out', out],
      env,
      360_000,
    );
    expect(result.stdout, show(result)).toMatch(/^Gauntlet ab: B differs significantly from A$/m);
    expect(result.code, show(result)).toBe(1);
    expect(result.stdout).toMatch(/B vs A: worker\.slowdown: 1 -> 3/);
    const a = parseRunJson(readFileSync(join(out, 'a', 'run.json'), 'utf8'), 'a/run.json');
    const b = parseRunJson(readFileSync(join(out, 'b', 'run.json'), 'utf8'), 'b/run.json');
    expect(a.plan?.parts).toEqual(b.plan?.parts);
    expect(JSON.parse(readFileSync(join(out, 'ab.json'), 'utf8'))).toMatchObject({
      outcome: 'not reproduced',
    });
  }, 400_000);

  it('refuses one --config, or an interleave that leaves runs too short, before starting anything', async () => {
    const one = await runCli(['ab', 'load', '--config', small, '--out', join(home, 'ab1')], env);
    expect(one.code).toBe(3);
    expect(one.stderr).toMatch(/--config: give exactly two \(A and B\); got 1/);
    const short = await runCli(
      [
        'ab',
        'smoke',
        '--config',
        small,
        '--config',
        slow,
        '--duration',
        '4s',
        '--interleave',
        '3',
        '--out',
        join(home, 'ab2'),
      ],
      env,
    );
    expect(short.code).toBe(3);
    expect(short.stderr).toMatch(/--interleave 3: each run would get 1\.33 s .* at least 2 s/);
  }, 180_000);
});
