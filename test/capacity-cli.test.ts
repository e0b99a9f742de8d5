import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { capacityResultSchema } from '../reports/capacity/capacity-result.js';
import { parseRunJson } from '../reports/render/write-reports.js';
import { type CliResult, runCli, writeSmallConfig } from './support/cli.js';

// gauntlet capacity end to end on the local platform with a tiny budget: one small topology, a short ramp,
// coarse resolution. On a shared 2-core machine the answer may not converge in the budget; what must hold
// is that the reports are written and the answer is either conclusive (a pass at R and a non-pass at the
// next step, each a real run) or says why not.
const home = mkdtempSync(join(tmpdir(), 'gauntlet-capacity-'));
const out = join(home, 'out');

/**
 * SLOs a short run can decide (a median, a 5 % error rate), so that the tiny budget holds several
 * constant-rate trials; the default p99 needs ~1,200 requests a trial.
 */
function writeSlos(dir: string): string {
  const file = join(dir, 'slos.yaml');
  writeFileSync(
    file,
    'slos:\n  - id: e2e-p50\n    metric: e2e\n    stat: p50\n    op: "<"\n    threshold: 300\n  - id: error-rate\n    metric: error_rate\n    op: "<"\n    threshold: 0.05\n',
  );
  return file;
}

describe('gauntlet capacity', () => {
  it('refuses an --env variable the search sets itself, before starting anything', async () => {
    const refused = await runCli(
      ['capacity', '--platform', 'local', '--env', 'RATE=5', '--out', join(home, 'refused')],
      { GAUNTLET_HOME: home },
    );
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /--env RATE: set by gauntlet capacity for each run \(the search picks each rate\)/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  let result: CliResult;

  beforeAll(async () => {
    result = await runCli(
      [
        'capacity',
        '--platform',
        'local',
        '--config',
        writeSmallConfig(home),
        '--topologies',
        'nodes=1',
        '--slos',
        writeSlos(home),
        '--budget',
        '120s',
        '--ramp-duration',
        '10s',
        '--warmup',
        '3s',
        '--resolution',
        '25',
        '--peak',
        '5',
        // A workload of its own for every run: half of each 256-token prompt is a shared prefix.
        '--prefix-share',
        '0.5',
        '--env',
        'PROMPT_TOKENS_MEAN=256',
        '--out',
        out,
      ],
      { GAUNTLET_HOME: home },
      300_000,
    );
  }, 320_000);

  it('writes capacity.json (valid against its schema), capacity.md and capacity.html', () => {
    expect([0, 2], result.stdout + result.stderr).toContain(result.code);
    for (const file of ['capacity.json', 'capacity.md', 'capacity.html'])
      expect(existsSync(join(out, file)), file).toBe(true);
    const capacity = capacityResultSchema.parse(JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8')));
    expect(capacity.complete).toBe(true);
    expect(capacity.topologies).toHaveLength(1);
    expect(capacity.search.runs).toBeGreaterThanOrEqual(1);
    expect(capacity.headline?.sentence).toMatch(/^for 5 req\/s at p50 < 300 ms: /);
    // Every run got the workload, and capacity.json says which.
    expect(capacity.scenarioEnv).toEqual({ PROMPT_TOKENS_MEAN: '256', PREFIX_SHARE: '0.5' });
    const first = capacity.topologies[0]?.ramp?.runDir ?? capacity.topologies[0]?.trials[0]?.runDir ?? '';
    const notes = parseRunJson(readFileSync(join(first, 'run.json'), 'utf8'), 'run.json').notes.join('\n');
    expect(notes).toMatch(/prefix cache .* were hits \((?!0\.0 %)[\d.]+ %\)/);
    // Progress went to stderr, the answer to stdout.
    expect(result.stderr).toMatch(/capacity: nodes=1: ramp \d+ -> \d+ req\/s/);
    expect(result.stdout).toMatch(/^nodes=1: /m);
  });

  it('is conclusive with both ends measured, or says honestly why not', () => {
    const capacity = capacityResultSchema.parse(JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8')));
    const [topology] = capacity.topologies;
    if (!topology) throw new Error('no topology');
    // Every trial is a run of its own with its reports.
    for (const trial of topology.trials)
      expect(existsSync(join(trial.runDir, 'run.json')), trial.runDir).toBe(true);
    if (topology.conclusive) {
      expect(result.code).toBe(0);
      const pass = topology.trials.find((t) => t.offeredRate === topology.maxRate);
      const next = topology.trials.find((t) => t.offeredRate === topology.nextRate);
      expect(pass?.verdict).toBe('pass');
      expect(next?.verdict).not.toBe('pass');
      expect(pass?.e2eP50?.ci).not.toBeNull();
      expect(topology.resolution).toBe((topology.nextRate ?? 0) - (topology.maxRate ?? 0));
    } else {
      expect(result.code).toBe(2);
      expect(topology.reason).not.toBe('');
      expect(capacity.search.gaveUp.length).toBeGreaterThan(0);
      expect(result.stdout).toMatch(/NOT conclusive/);
    }
  });
});
