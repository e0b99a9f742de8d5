import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config/config-error.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import type { RunPlan } from '../../reports/run-plan.js';
import { loadDefaultSlos } from '../../reports/slo/load-slos.js';
import { exampleRun } from '../../reports/testing/example-run.js';
import { clusterConfigOf, loadReproSource } from './repro-source.js';

const home = mkdtempSync(join(tmpdir(), 'gauntlet-repro-source-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const plan: RunPlan = {
  version: 1,
  parts: [
    {
      kind: 'load',
      scenario: 'load',
      rate: 10,
      durationS: 20,
      seed: 3,
      endpointMix: 'infer:1',
      maxTokens: 8,
      prompts: { kind: 'synthetic' },
    },
  ],
  slos: loadDefaultSlos(),
  slosSource: 'default',
};

function runDir(name: string, run: object): string {
  const dir = join(home, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  return dir;
}

async function failure(dir: string): Promise<Error> {
  try {
    await loadReproSource(dir);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected loadReproSource to fail');
}

describe('loadReproSource', () => {
  it('reads the plan of a run folder into load parts', async () => {
    const source = await loadReproSource(runDir('good', { ...exampleRun({ samples: 500 }), plan }));
    expect(source.parts).toEqual([
      { scenario: 'load', rate: 10, durationS: 20, seed: 3, endpointMix: 'infer:1', maxTokens: 8 },
    ]);
    expect(source.plan.slos.length).toBe(loadDefaultSlos().length);
    expect(source.warnings).toEqual([]);
  });

  it('refuses a folder without run.json, naming the file', async () => {
    const error = await failure(join(home, 'nowhere'));
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.message).toMatch(/nowhere: no such folder/);
    mkdirSync(join(home, 'empty'));
    expect((await failure(join(home, 'empty'))).message).toMatch(/empty\/run\.json: not found/);
  });

  it('refuses a run.json written before plans existed, naming what is missing', async () => {
    const error = await failure(runDir('old', exampleRun({ samples: 500 })));
    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.message).toMatch(/run\.json: plan: missing\..*plan\.parts.*plan\.slos.*Rerun it by hand: /);
  });

  it('names the field of a plan that lacks one, and refuses fault parts and unknown scenarios', async () => {
    const { seed: _seed, ...noSeed } = plan.parts[0] as Extract<RunPlan['parts'][number], { kind: 'load' }>;
    const missing = await failure(
      runDir('no-seed', { ...exampleRun({ samples: 500 }), plan: { ...plan, parts: [noSeed] } }),
    );
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.message).toMatch(/run\.json: plan\.parts\[0\]\.seed: /);
    const faults = await failure(
      runDir('faults', {
        ...exampleRun({ samples: 500 }),
        plan: { ...plan, parts: [{ kind: 'faults', experiment: 'worker-kill', seed: 1, maxTokens: 8 }] },
      }),
    );
    expect(faults.message).toMatch(/plan\.parts\[0\]: chaos experiment worker-kill: repro reruns load runs/);
    const unknown = await failure(
      runDir('unknown', {
        ...exampleRun({ samples: 500 }),
        plan: { ...plan, parts: [{ ...plan.parts[0], scenario: 'marathon' }] },
      }),
    );
    expect(unknown.message).toMatch(/plan\.parts\[0\]\.scenario: 'marathon' is not a scenario/);
  });

  it('refuses a run that measured nothing, saying why it did not', async () => {
    const empty = exampleRun({ samples: 500 });
    const nothing = {
      ...empty,
      plan,
      collection: { ...empty.collection, samples: 0 },
      notes: ['the run failed: gateway gateway-0 did not come up'],
    };
    const error = await failure(runDir('nothing', nothing));
    expect(error.message).toMatch(
      /collection\.samples: 0; the original run measured nothing \(the run failed: gateway gateway-0 did not come up\)/,
    );
  });

  it('warns when a prompt file changed and refuses when it is gone', async () => {
    const prompts = join(home, 'prompts.jsonl');
    writeFileSync(prompts, 'changed\n');
    const part = { ...plan.parts[0], prompts: { kind: 'file', path: prompts, sha256: '0'.repeat(64) } };
    const source = await loadReproSource(
      runDir('prompts', { ...exampleRun({ samples: 500 }), plan: { ...plan, parts: [part] } }),
    );
    expect(source.warnings[0]).toMatch(/prompt file .* changed since the original run/);
    const gone = { ...part, prompts: { kind: 'file', path: join(home, 'gone.jsonl'), sha256: null } };
    const error = await failure(
      runDir('gone', { ...exampleRun({ samples: 500 }), plan: { ...plan, parts: [gone] } }),
    );
    expect(error.message).toMatch(/prompts: the prompt file .*gone\.jsonl cannot be read/);
  });

  it('gives the recorded cluster config back, or says why it cannot', async () => {
    const cluster = { etcd: { members: 1 }, worker: { slowdown: 2 } };
    const source = await loadReproSource(
      runDir('cluster', { ...exampleRun({ samples: 500 }), plan, config: { cluster, run: {} } }),
    );
    expect(clusterConfigOf(source).worker.slowdown).toBe(2);
    const bad = await loadReproSource(
      runDir('bad-cluster', {
        ...exampleRun({ samples: 500 }),
        plan,
        config: { cluster: { worker: { slowdown: 0 } }, run: {} },
      }),
    );
    expect(() => clusterConfigOf(bad)).toThrow(/run\.json: config\.cluster\.worker\.slowdown: /);
    const none = await loadReproSource(
      runDir('no-cluster', {
        ...exampleRun({ samples: 500 }),
        plan,
        config: { cluster: null, run: {} },
      }),
    );
    expect(() => clusterConfigOf(none)).toThrow(/config\.cluster: null .* give --config FILE/);
  });
});
