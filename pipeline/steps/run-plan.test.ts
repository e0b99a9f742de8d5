import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPlanSchema } from '../../reports/run-plan.js';
import { loadDefaultSlos } from '../../reports/slo/load-slos.js';
import type { PipelineOptions } from '../pipeline-options.js';
import { runPlanOf } from './run-plan.js';

const options = (env?: Record<string, string>): PipelineOptions => ({
  parts: [
    {
      kind: 'load',
      load: {
        scenario: 'load',
        rate: 12,
        durationS: 30,
        seed: 7,
        endpointMix: 'infer:1',
        maxTokens: 8,
        ...(env ? { env } : {}),
      },
    },
  ],
  target: { url: 'http://127.0.0.1:1' },
  slos: loadDefaultSlos(),
  slosSource: 'default',
  outDir: '/tmp/x',
  command: ['gauntlet', 'run', 'load'],
  runOptions: {},
});

describe('runPlanOf', () => {
  it('records each part, the SLO definitions and synthetic prompts, valid against the schema', () => {
    const plan = runPlanOf(options());
    expect(runPlanSchema.parse(plan)).toEqual(plan);
    expect(plan.parts[0]).toMatchObject({ kind: 'load', scenario: 'load', rate: 12, seed: 7 });
    expect(plan.parts[0]).toMatchObject({ prompts: { kind: 'synthetic' } });
    expect(plan.slos.map((s) => s.id)).toEqual(loadDefaultSlos().map((s) => s.id));
    expect(plan.slosSource).toBe('default');
  });

  it('hashes a prompt file, so that a rerun notices when it changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-plan-'));
    const file = join(dir, 'prompts.jsonl');
    writeFileSync(file, '{"conversations":[{"from":"human","value":"hi"}]}\n');
    const plan = runPlanOf(options({ PROMPTS: file }));
    expect(plan.parts[0]).toMatchObject({
      prompts: { kind: 'file', path: file, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const missing = runPlanOf(options({ PROMPTS: join(dir, 'gone.jsonl') }));
    expect(missing.parts[0]).toMatchObject({ prompts: { kind: 'file', sha256: null } });
    rmSync(dir, { recursive: true, force: true });
  });
});
