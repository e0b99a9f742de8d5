import { z } from 'zod';
import { directionSchema, type LinkDirection, type LinkName, linkSchema } from '../../core/network/links.js';
import { type Role, roleSchema } from '../../core/platform/roles.js';
import { scenarioNames } from '../../runner/load/load-driver.js';
import { sloRefSchema } from './slo.js';

/**
 * An experiment is data (Chaos Toolkit's model): a steady state to hold, a load to run, faults on a
 * schedule relative to the load's start, rollbacks that always run, abort conditions and expectations
 * per fault. Field names are camelCase and durations carry their unit (`windowS`, `latencyMs`).
 */

const slug = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, 'a lowercase slug (a-z, 0-9, -), at most 64 characters');

export type { LinkDirection, LinkName };
export { directionSchema, linkSchema, roleSchema };
export const signalSchema = z.enum(['SIGKILL', 'SIGTERM']);

export const expectationsSchema = z.strictObject({
  maxFailedRequests: z.number().int().min(0).optional(),
  maxRecoveryS: z.number().min(0).optional(),
  maxDetectS: z.number().min(0).optional(),
  maxStreamsCut: z.number().int().min(0).optional(),
  noLostRequests: z.boolean().optional(),
  noDuplicates: z.boolean().optional(),
});

export const targetSchema = z.strictObject({
  role: roleSchema.optional(),
  node: z.string().min(1).max(100).optional(),
  id: z.string().min(1).max(200).optional(),
  /** How many of the matching components (node actions: nodes) to hit. */
  count: z.union([z.number().int().min(1).max(1000), z.literal('all')]).default(1),
  /** `leader` is for etcd members: the current raft leader first. */
  pick: z.enum(['first', 'random', 'leader']).default('first'),
});

const signalParams = z.strictObject({ signal: signalSchema.default('SIGKILL') }).prefault({});
const noParams = z.strictObject({}).prefault({});

const faultBase = {
  id: slug,
  /** Seconds after the load started. */
  at: z.number().min(0).max(86_400),
  target: targetSchema.prefault({}),
  /** When given, the fault is rolled back this long after injection (during the load); else at the end. */
  durationS: z.number().positive().max(86_400).optional(),
  /** Overrides the experiment's expectations for this fault, field by field. */
  expect: expectationsSchema.optional(),
};

const fault = <A extends string, P extends z.ZodType>(action: A, params: P) =>
  z.strictObject({ ...faultBase, action: z.literal(action), params });

export const faultSchema = z.discriminatedUnion('action', [
  fault('kill', signalParams),
  fault('node-kill', signalParams),
  fault('freeze', noParams),
  fault('node-freeze', noParams),
  fault('etcd-kill-member', signalParams),
  fault('etcd-kill-leader', signalParams),
  fault('etcd-quorum-loss', signalParams),
  fault('gpu-slowdown', z.strictObject({ factor: z.number().min(1).max(1000) })),
  fault('gpu-error-rate', z.strictObject({ rate: z.number().min(0).max(1) })),
  fault('gpu-hang', noParams),
  fault('gpu-crash', noParams),
  fault('gpu-oom', noParams),
  fault(
    'network-latency',
    z.strictObject({
      link: linkSchema,
      latencyMs: z.number().int().min(0).max(600_000),
      jitterMs: z.number().int().min(0).max(600_000).default(0),
      direction: directionSchema.default('downstream'),
    }),
  ),
  fault(
    'network-partition',
    z.strictObject({
      link: linkSchema,
      /** blackhole: data is dropped and connections hang; refuse: the proxy closes them and refuses new ones. */
      mode: z.enum(['blackhole', 'refuse']).default('blackhole'),
    }),
  ),
  fault(
    'network-bandwidth',
    z.strictObject({
      link: linkSchema,
      rateKBps: z.number().int().min(1).max(10_000_000),
      direction: directionSchema.default('downstream'),
    }),
  ),
  fault(
    'network-reset-peer',
    z.strictObject({ link: linkSchema, timeoutMs: z.number().int().min(0).max(600_000).default(0) }),
  ),
]);

export const endpointMixSchema = z.strictObject({
  infer: z.number().min(0).optional(),
  chat: z.number().min(0).optional(),
  chat_stream: z.number().min(0).optional(),
  completions: z.number().min(0).optional(),
});

export const abortRuleSchema = z.strictObject({
  when: z.literal('error_rate_above'),
  threshold: z.number().min(0).max(1),
  forS: z.number().int().min(1).max(3600),
});

/** Sweeps that run after every fault's own rollback, whatever happened (abort, error, success). */
export const rollbackSweepSchema = z.enum([
  'thaw-all',
  'restart-dead',
  'clear-gpu-faults',
  'clear-network-faults',
]);
export const allRollbackSweeps = rollbackSweepSchema.options;

export const experimentSchema = z
  .strictObject({
    id: slug,
    title: z.string().min(1).max(200),
    description: z.string().min(1).max(4000),
    /** What the reference stack is expected to do, in words (shown by --dry-run and in the report). */
    expectedOutcome: z.string().min(1).max(4000),
    steadyState: z.strictObject({
      slos: z.array(sloRefSchema).min(1).max(50),
      /** The first windowS of load must meet the SLOs before any fault is injected. */
      windowS: z.number().int().min(1).max(3600).default(10),
    }),
    load: z.strictObject({
      /** A scenario of scenarios/ (run with no warm-up: fault times count from the first request). */
      scenario: z
        .string()
        .refine(
          (name) => (scenarioNames as readonly string[]).includes(name),
          `one of ${scenarioNames.join(', ')}`,
        ),
      /** Requests a second (open model). */
      rate: z.number().positive().max(100_000),
      durationS: z.number().int().min(1).max(86_400),
      endpointMix: endpointMixSchema.optional(),
    }),
    faults: z.array(faultSchema).min(1).max(100),
    rollbacks: z.array(rollbackSweepSchema).default([...allRollbackSweeps]),
    abort: z.array(abortRuleSchema).max(20).default([]),
    expectations: expectationsSchema.default({}),
    /** Lets a fault hit every replica of a role (a whole-service outage); off by default. */
    allowAllReplicas: z.boolean().default(false),
    /** Seeds `pick: random`; the cluster seed when absent. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
  })
  .superRefine((experiment, ctx) => {
    const ids = new Set<string>();
    const windowS = experiment.steadyState.windowS;
    experiment.faults.forEach((f, i) => {
      if (ids.has(f.id))
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'id'], message: `duplicate fault id "${f.id}"` });
      ids.add(f.id);
      if (f.at < windowS) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'at'],
          message: `must be >= steadyState.windowS (${windowS}): the steady state is checked before any fault`,
        });
      }
      if (f.at >= experiment.load.durationS) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'at'],
          message: `must be < load.durationS (${experiment.load.durationS})`,
        });
      }
      if (f.durationS !== undefined && f.at + f.durationS > experiment.load.durationS) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'durationS'],
          message: `at + durationS (${f.at + f.durationS}) must be <= load.durationS (${experiment.load.durationS})`,
        });
      }
      const implied = impliedRole(f);
      if (implied !== undefined && f.target.role !== undefined && f.target.role !== implied) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'target', 'role'],
          message: `${f.action}${'link' in f.params ? ` on ${f.params.link}` : ''} targets role "${implied}" (got "${f.target.role}")`,
        });
      }
      if (f.target.pick === 'leader' && implied !== 'etcd' && f.target.role !== 'etcd') {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'target', 'pick'],
          message: 'pick "leader" is only for etcd members',
        });
      }
    });
  });

export type Experiment = z.output<typeof experimentSchema>;
export type ExperimentInput = z.input<typeof experimentSchema>;
export type FaultSpec = z.output<typeof faultSchema>;
export type FaultAction = FaultSpec['action'];
export type FaultTarget = z.output<typeof targetSchema>;
export type Expectations = z.output<typeof expectationsSchema>;
export type AbortRule = z.output<typeof abortRuleSchema>;
export type RollbackSweep = z.output<typeof rollbackSweepSchema>;
export type EndpointMix = z.output<typeof endpointMixSchema>;
export type RoleName = Role;

/** The role whose replicas a link's faults hit: the destination of the link. */
export const linkTargetRole: Record<LinkName, RoleName> = {
  'gateway->batcher': 'batcher',
  'batcher->worker': 'worker',
  'any->etcd': 'etcd',
};

/** The role an action can only target, if any (etcd actions, GPU actions, links). */
export function impliedRole(fault: FaultSpec): RoleName | undefined {
  if (fault.action.startsWith('etcd-')) return 'etcd';
  if (fault.action.startsWith('gpu-')) return 'worker';
  if ('link' in fault.params) return linkTargetRole[fault.params.link];
  return undefined;
}

/** The experiment's expectations with a fault's own overrides applied. */
export function expectationsFor(experiment: Experiment, fault: FaultSpec): Expectations {
  return { ...experiment.expectations, ...fault.expect };
}
