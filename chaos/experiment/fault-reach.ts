import type { FaultReach } from '../../core/platform/platform.js';
import type { Experiment } from './experiment-schema.js';
import { candidatesOf, scopeOf, selectTargets } from './resolve-targets.js';
import type { Topology, TopologyComponent } from './topology.js';

/**
 * Everything an experiment's faults may act on: what a `pick: first` chooses (known now), and every
 * candidate where the choice is made at injection time (random picks, the etcd leader); node faults add
 * their nodes and everything on them. What `--dry-run` names on a platform whose pods and nodes are
 * someone else's. Pure.
 */
export function faultReach(experiment: Experiment, topology: Topology): FaultReach {
  const components = new Map<string, TopologyComponent>();
  const nodes = new Set<string>();
  for (const fault of experiment.faults) {
    const candidates = candidatesOf(fault, topology);
    if (candidates.length === 0) continue;
    const scope = scopeOf(fault);
    const decidedNow = fault.target.pick === 'first' && scope !== 'etcd-leader' && scope !== 'etcd-quorum';
    if (decidedNow) {
      const choice = selectTargets(fault, topology);
      for (const c of choice.components) components.set(c.id, c);
      for (const node of choice.nodes) nodes.add(node);
    } else if (scope === 'node') {
      for (const node of new Set(candidates.map((c) => c.node))) {
        nodes.add(node);
        for (const c of topology.filter((t) => t.node === node)) components.set(c.id, c);
      }
    } else {
      for (const c of candidates) components.set(c.id, c);
    }
  }
  // In topology order, so the listing reads like the plan.
  return { components: topology.filter((c) => components.has(c.id)), nodes: [...nodes] };
}
