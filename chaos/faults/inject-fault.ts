import type { StackHandle } from '../../core/platform/platform.js';
import type { FaultSpec } from '../experiment/experiment-schema.js';
import { scopeOf, selectTargets } from '../experiment/resolve-targets.js';
import { topologyOfStack } from '../experiment/topology.js';
import { faultDefinition } from './fault-registry.js';
import type { Rollback } from './rollback.js';
import type { StackFaults } from './stack-faults.js';

export interface InjectedFault {
  spec: FaultSpec;
  targets: string[];
  rollback: Rollback;
}

/**
 * Performs one fault of an experiment: selects its targets on the running stack (count, pick, the current
 * etcd leader) and lets the action's registered definition call the fault API. The journal entry carries the fault's id.
 */
export async function injectFault(
  spec: FaultSpec,
  faults: StackFaults,
  stack: StackHandle,
  random: () => number,
): Promise<InjectedFault> {
  const label = { faultId: spec.id, action: spec.action };
  const scope = scopeOf(spec);
  const needsLeader = spec.target.pick === 'leader' || scope === 'etcd-leader' || scope === 'etcd-quorum';
  const leaderId = needsLeader ? await faults.etcdLeader() : undefined;
  const choice = selectTargets(spec, topologyOfStack(stack), { random, ...(leaderId ? { leaderId } : {}) });
  const componentIds = choice.components.map((c) => c.id);
  const rollback = await faultDefinition(spec.action).inject(faults, spec.params, {
    componentIds,
    nodes: choice.nodes,
    label,
    durationS: spec.durationS,
  });
  return { spec, targets: componentIds, rollback };
}
