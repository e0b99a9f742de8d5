import { z } from 'zod';
import { sloSchema } from './slo/slo-schema.js';

/**
 * run.json's `plan`: everything needed to run the same thing again (`gauntlet repro`): each part's
 * scenario, rate, main-phase length, seed, endpoint mix, output length and scenario variables (phases and
 * their rates follow from these, scenarios/lib/scenario-plans.ts), where the prompts came from (with a
 * hash of a prompt file, so a changed file is noticed), and the SLO definitions themselves (not only the
 * file's name, which may have changed since). The cluster config is run.json's `config.cluster`.
 *
 * Optional in run.json version 1: files written before it existed lack it, and repro says so.
 */

const promptSource = z
  .discriminatedUnion('kind', [
    z
      .strictObject({ kind: z.literal('synthetic') })
      .describe('the seeded generator: same seed, same prompts'),
    z.strictObject({
      kind: z.literal('file'),
      path: z.string(),
      sha256: z.string().nullable().describe('of the file when the run started; null: it could not be read'),
    }),
  ])
  .meta({ id: 'PromptSource' });

const loadPart = z.strictObject({
  kind: z.literal('load'),
  scenario: z.string().min(1).describe('smoke, load, stress, spike, soak or breakpoint'),
  rate: z.number().positive().describe('base arrivals per second (RATE)'),
  durationS: z.number().positive().describe('main phase (DURATION)'),
  seed: z.number().int().min(0),
  endpointMix: z.union([z.string(), z.record(z.string(), z.number())]),
  maxTokens: z.number().int().min(1),
  env: z.record(z.string(), z.string()).optional().describe('more scenario variables, as given'),
  prompts: promptSource,
});

const faultPart = z.strictObject({
  kind: z.literal('faults'),
  experiment: z.string().describe('the chaos experiment id'),
  seed: z.number().int().min(0),
  maxTokens: z.number().int().min(1),
});

export const RUN_PLAN_VERSION = 1;

export const runPlanSchema = z
  .strictObject({
    version: z.literal(RUN_PLAN_VERSION),
    parts: z.array(z.discriminatedUnion('kind', [loadPart, faultPart])),
    slos: z.array(sloSchema).describe('the whole-run SLOs as they were judged'),
    slosSource: z.string().describe('the SLO file they came from, or "default"'),
  })
  .meta({ id: 'RunPlan', description: 'what the run was asked to do, complete enough to rerun it' });

export type RunPlan = z.output<typeof runPlanSchema>;
export type PlannedLoadPart = z.output<typeof loadPart>;
export type PromptSourceRecord = z.output<typeof promptSource>;
