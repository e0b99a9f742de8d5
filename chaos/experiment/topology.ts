import type { PlannedComponent, StackHandle, StackPlan } from '../../core/platform/platform.js';
import type { Role } from '../../core/platform/roles.js';

/** What target selection and the blast-radius check need to know about a component. */
export type TopologyComponent = PlannedComponent;

export type Topology = readonly TopologyComponent[];

/**
 * The components a platform will start for a config (Platform.plan): lets `--dry-run` and file validation
 * work before any stack exists; at run time the stack's own list is used instead.
 */
export function topologyOfPlan(plan: StackPlan): Topology {
  return plan.components;
}

export function topologyOfStack(stack: Pick<StackHandle, 'components'>): Topology {
  return stack.components().map(({ role, id, node }) => ({ role, id, node }));
}

export function replicasOf(topology: Topology, role: Role): TopologyComponent[] {
  return topology.filter((c) => c.role === role);
}
