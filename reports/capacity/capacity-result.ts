import { z } from 'zod';
import { ENDPOINTS } from '../model/kinds.js';
import { SLO_METRICS, SLO_OPS, SLO_STATS } from '../slo/slo-schema.js';

/**
 * capacity.json: what `gauntlet capacity` measured and concluded, version 1. Measured figures (trials,
 * max rates) and the model's predictions are kept apart: anything under `model` is a fit, never a
 * measurement. reports/schema/capacity.v1.schema.json is generated from this schema (write-schema.ts).
 */

const interval = z.tuple([z.number(), z.number()]).describe('95 % confidence interval [low, high]');
const verdict = z.enum(['pass', 'fail', 'inconclusive']);

const estimate = z.strictObject({
  value: z.number(),
  ci: interval.nullable().describe('null when the sample is too small for one'),
});

const trialSlo = z.strictObject({
  id: z.string(),
  verdict: z.enum(['pass', 'fail', 'inconclusive', 'not_applicable']),
  observed: z.number().nullable(),
  ci: interval.nullable(),
  threshold: z.number(),
  samples: z.number().int().min(0),
  reason: z.string(),
});

const trial = z.strictObject({
  offeredRate: z.number().describe('req/s the constant-rate run was scheduled to send'),
  achievedRate: z.number().describe('req/s it sent'),
  durationS: z.number().describe('main phase, after the warm-up'),
  verdict: verdict.describe("the run's verdict over every SLO"),
  deciding: z.string().nullable().describe('the SLO that did not pass, in words; null for a pass'),
  e2eP50: estimate.nullable(),
  e2eP99: estimate.nullable(),
  outputTokensPerS: z.number(),
  slos: z.array(trialSlo),
  runDir: z.string().describe('the run folder with its run.json and reports'),
});

const ramp = z.strictObject({
  startRate: z.number(),
  maxRate: z.number(),
  durationS: z.number(),
  brokeAtRate: z.number().nullable().describe('offered rate when latency, errors or the sent rate broke'),
  reason: z.string(),
  runDir: z.string(),
});

const topology = z.strictObject({
  name: z.string().describe('nodes=N, or the config file'),
  nodes: z.number().int().min(1),
  gpus: z.number().int().min(1),
  ramp: ramp.nullable(),
  trials: z.array(trial).describe('constant-rate runs, in the order they ran'),
  maxRate: z.number().nullable().describe('highest offered rate that passed every SLO, below every non-pass'),
  nextRate: z
    .number()
    .nullable()
    .describe('lowest offered rate above maxRate that failed or was inconclusive'),
  resolution: z.number().nullable().describe('nextRate - maxRate: what maxRate is accurate to'),
  conclusive: z.boolean().describe('a pass at maxRate and a non-pass within the resolution asked for'),
  reason: z.string(),
  tokensPerSPerGpu: z.number().nullable().describe('output tokens/s per GPU in the trial at maxRate'),
  scalingEfficiency: z
    .number()
    .nullable()
    .describe('maxRate / (gpus / gpus of the smallest topology x its maxRate)'),
  knee: z.strictObject({
    rate: z
      .number()
      .nullable()
      .describe('lowest offered rate whose p99 e2e is over twice the lightest-load p99'),
    reason: z.string(),
  }),
});

const model = z.strictObject({
  kind: z.literal('power-law'),
  formula: z.string().describe('maxRate = a x gpus^b, least squares on log-log'),
  a: z.number(),
  b: z.number(),
  fittedOn: z.array(z.string()).describe('topology names whose measured maxRate the fit used'),
  validation: z
    .strictObject({
      heldOut: z.string(),
      fittedOn: z.array(z.string()),
      predicted: z.number(),
      measured: z.number(),
      errorPct: z.number().describe('(predicted - measured) / measured x 100'),
    })
    .nullable()
    .describe('null when fewer than two topologies were measured conclusively'),
  predictions: z.array(
    z.strictObject({ nodes: z.number().int(), gpus: z.number().int(), predictedMaxRate: z.number() }),
  ),
  note: z.string(),
});

export const capacityResultSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    startedAt: z.string(),
    endedAt: z.string(),
    command: z.array(z.string()),
    target: z.string().describe('platform name, or the --target URL'),
    mix: z.string(),
    maxTokens: z.number(),
    scenarioEnv: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'scenario variables every run got: the workload flags and --env (prompt lengths, PREFIX_SHARE, ...)',
      ),
    slos: z.array(
      z.strictObject({
        id: z.string(),
        metric: z.enum(SLO_METRICS),
        endpoint: z.enum(ENDPOINTS).optional(),
        stat: z.enum(SLO_STATS).optional(),
        op: z.enum(SLO_OPS),
        threshold: z.number(),
      }),
    ),
    search: z.strictObject({
      resolutionPct: z.number().describe('asked: the bracket is narrowed to this % of the rate (>= 1 req/s)'),
      budgetS: z.number(),
      usedS: z.number(),
      gaveUp: z.array(z.string()).describe('what the budget or an interrupt cut, in words'),
      runs: z.number().int().describe('load runs in all (ramps and constant-rate trials)'),
    }),
    topologies: z.array(topology),
    model: model.nullable(),
    headline: z
      .strictObject({
        peak: z.number(),
        nodes: z.number().int().nullable(),
        headroomPct: z.number().nullable(),
        source: z.enum(['measured', 'model', 'none']),
        sentence: z.string(),
      })
      .nullable()
      .describe('with --peak P'),
    complete: z.boolean().describe('false: interrupted or a run failed; what was measured is here'),
    notes: z.array(z.string()),
  })
  .meta({
    title: 'Gauntlet capacity result, version 1',
    description: 'capacity.json, written by gauntlet capacity (reports/capacity/capacity-result.ts)',
  });

export type CapacityResult = z.output<typeof capacityResultSchema>;
export type CapacityTopology = z.output<typeof topology>;
export type CapacityTrial = z.output<typeof trial>;
export type CapacityRamp = z.output<typeof ramp>;
export type CapacityModel = z.output<typeof model>;
export type CapacityHeadline = NonNullable<CapacityResult['headline']>;
