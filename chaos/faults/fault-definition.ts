import type { z } from 'zod';
import type { LinkName } from '../../core/network/links.js';
import type { Capability } from '../../core/platform/capabilities.js';
import type { Role } from '../../core/platform/roles.js';
import type { Rollback } from './rollback.js';
import type { FaultLabel, StackFaults } from './stack-faults.js';

/**
 * How targets are chosen: matching components (count, pick), whole nodes, the etcd raft leader at
 * injection time, or a majority of etcd members (leader first).
 */
export type TargetScope = 'component' | 'node' | 'etcd-leader' | 'etcd-quorum';

/**
 * What shows that the stack noticed the fault. `routing`: the targets leave routing (ejected, not live,
 * unregistered); `leader`: the etcd leader changes; `none`: routing is not expected to change, and `why`
 * is the note the report carries. Every action must choose, so detection is never silently skipped.
 */
export type DetectionRule =
  | { kind: 'routing' }
  | { kind: 'leader'; why: string }
  | { kind: 'none'; why: string };

export interface InjectTargets {
  /** Every component the fault acts on (node actions: everything on the chosen nodes). */
  componentIds: string[];
  /** Node actions only. */
  nodes: string[];
  label: FaultLabel;
  /**
   * How long the fault lasts when the experiment says so (else until the load ends), for an action whose
   * tool needs a duration up front (xk6-disruptor); the rollback still ends it.
   */
  durationS: number | undefined;
}

/**
 * One fault action, everything about it in one place. Methods (not function-valued fields) so that a
 * definition with precise params fits the registry's general type.
 */
export interface FaultDefinition<P extends z.ZodType = z.ZodType> {
  /** The `params` of the action in an experiment (validated, with defaults). */
  readonly params: P;
  readonly scope: TargetScope;
  /** The role the action can only target, if any (etcd actions, GPU actions, a link's destination). */
  impliedRole(params: z.output<P>): Role | undefined;
  /** The link a network fault acts on. */
  link(params: z.output<P>): LinkName | undefined;
  /** What the platform must support; checked against Platform.capabilities before anything runs. */
  requires(params: z.output<P>): readonly Capability[];
  /** The action in words for `--dry-run` (`kill (SIGKILL)`, `gpu-slowdown x10`). */
  describe(params: z.output<P>): string;
  /** What its rollback does, in words. */
  readonly rollback: string;
  readonly detection: DetectionRule;
  /** Performs the fault through the fault API; resolves with its rollback once it is in force. */
  inject(faults: StackFaults, params: z.output<P>, targets: InjectTargets): Promise<Rollback>;
}

/** Keeps a definition's precise params type while checking it against FaultDefinition. */
export function defineFault<P extends z.ZodType>(definition: FaultDefinition<P>): FaultDefinition<P> {
  return definition;
}
