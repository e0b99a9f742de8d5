import { z } from 'zod';
import { directionSchema, type LinkDirection, type LinkName, linkSchema } from '../../core/network/links.js';
import { type Role, roleSchema } from '../../core/platform/roles.js';
import { scenarioNames } from '../../runner/load/load-driver.js';
import { linkTargetRole } from '../faults/actions/network-faults.js';
import { signalSchema } from '../faults/actions/process-faults.js';
import { type FaultAction, faultActions } from '../faults/fault-action.js';
import { type FaultParamsSchema, faultRegistry, impliedRoleOf, linkOf } from '../faults/fault-registry.js';
import { sloRefSchema } from './slo.js';

/**
 * An experiment is data (Chaos Toolkit's model): a steady state to hold, a load to run, faults on a
 * schedule relative to the load's start, rollbacks that always run, abort conditions and expectations
 * per fault. Field names are camelCase and durations carry their unit (`windowS`, `latencyMs`).
 */

const slug = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, 'a lowercase slug (a-z, 0-9, -), at most 64 characters');

export type { FaultAction, LinkDirection, LinkName };
export { directionSchema, linkSchema, roleSchema, signalSchema };

/** What counts as a stalled request when an experiment sets maxStalledRequests alone: ten times 300 ms. */
export const DEFAULT_STALLED_AFTER_S = 3;

export const expectationsSchema = z.strictObject({
  maxFailedRequests: z.number().int().min(0).optional(),
  maxRecoveryS: z.number().min(0).optional(),
  maxDetectS: z.number().min(0).optional(),
  maxStreamsCut: z.number().int().min(0).optional(),
  noLostRequests: z.boolean().optional(),
  noDuplicates: z.boolean().optional(),
  /**
   * How many requests sent after the fault's rollback (to the load's end) may fail: damage the rollback left
   * behind. The after-check's error-rate SLO cannot show a small share (1 % sits on its < 1 % threshold);
   * counted one by one, a single failure shows it. Not applicable to a fault rolled back at the load's end.
   */
  maxFailedAfterRollback: z.number().int().min(0).optional(),
  /**
   * How many answered requests may wait longer than `stalledAfterS` for their answer to start (time to first
   * token for streams, the whole request otherwise), counted from the injection to the load's end: the
   * requests a fault or its rollback left waiting, which a p99 over a window cannot show when they are few.
   */
  maxStalledRequests: z.number().int().min(0).optional(),
  /** What counts as stalled for `maxStalledRequests` (default 3 s: ten times the reference SLOs' 300 ms). */
  stalledAfterS: z.number().positive().max(3_600).optional(),
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
const faultBaseSchema = z.strictObject(faultBase);

/** A fault of one action: the common fields and that action's params (its schema is in the registry). */
type FaultOf<A extends FaultAction> = z.output<typeof faultBaseSchema> & {
  action: A;
  params: z.output<FaultParamsSchema<A>>;
};
type FaultInputOf<A extends FaultAction> = z.input<typeof faultBaseSchema> & {
  action: A;
} & (undefined extends z.input<FaultParamsSchema<A>>
    ? { params?: z.input<FaultParamsSchema<A>> }
    : { params: z.input<FaultParamsSchema<A>> });

export type FaultSpec = { [A in FaultAction]: FaultOf<A> }[FaultAction];
export type FaultSpecInput = { [A in FaultAction]: FaultInputOf<A> }[FaultAction];

const [firstAction, ...otherActions] = faultActions.map((action) =>
  z.strictObject({ ...faultBase, action: z.literal(action), params: faultRegistry[action].params }),
);
/**
 * One member per registered action, discriminated by `action`. Built from the registry, so the union is
 * typed by the mapped FaultSpec above (zod cannot infer a union built from a list).
 */
export const faultSchema = z.discriminatedUnion('action', [
  firstAction as NonNullable<typeof firstAction>,
  ...otherActions,
]) as unknown as z.ZodType<FaultSpec, FaultSpecInput>;

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
      const link = linkOf(f);
      if (implied !== undefined && f.target.role !== undefined && f.target.role !== implied) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'target', 'role'],
          message: `${f.action}${link ? ` on ${link}` : ''} targets role "${implied}" (got "${f.target.role}")`,
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
export type FaultTarget = z.output<typeof targetSchema>;
export type Expectations = z.output<typeof expectationsSchema>;
export type AbortRule = z.output<typeof abortRuleSchema>;
export type RollbackSweep = z.output<typeof rollbackSweepSchema>;
export type EndpointMix = z.output<typeof endpointMixSchema>;
export type RoleName = Role;

export { linkTargetRole };

/** The role an action can only target, if any (etcd actions, GPU actions, links): from the registry. */
export function impliedRole(fault: FaultSpec): RoleName | undefined {
  return impliedRoleOf(fault);
}

/** The experiment's expectations with a fault's own overrides applied. */
export function expectationsFor(experiment: Experiment, fault: FaultSpec): Expectations {
  return { ...experiment.expectations, ...fault.expect };
}
