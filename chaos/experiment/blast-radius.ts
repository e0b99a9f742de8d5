import { etcdMajority } from '../../core/cluster/etcd-quorum.js';
import type { Role } from '../../stack/protocol/registry-keys.js';
import type { Experiment, FaultSpec } from './experiment-schema.js';
import { candidatesOf, noMatchMessage, scopeOf } from './resolve-targets.js';
import type { Topology, TopologyComponent } from './topology.js';

export interface TargetIssue {
  /** Path into the experiment, for file:line errors: ['faults', 2, 'target']. */
  path: Array<string | number>;
  message: string;
}

/**
 * Checks every fault's target against a topology: it must match something, and unless the experiment sets
 * allowAllReplicas it must not be able to hit every replica of a role (a whole-service outage, which is a
 * different experiment from a resilience test). `pick: random` and `pick: leader` are judged by their worst
 * case: if some draw could take out a whole role, the fault is rejected.
 */
export function targetIssues(experiment: Experiment, topology: Topology): TargetIssue[] {
  const issues: TargetIssue[] = [];
  experiment.faults.forEach((fault, index) => {
    const path = ['faults', index, 'target'];
    const candidates = candidatesOf(fault, topology);
    if (candidates.length === 0) {
      issues.push({ path, message: noMatchMessage(fault, topology) });
      return;
    }
    if (experiment.allowAllReplicas) return;
    for (const role of rolesWhollyHit(fault, topology, candidates)) {
      const replicas = topology.filter((c) => c.role === role);
      issues.push({
        path,
        message:
          `${fault.action} ${fault.target.pick === 'first' ? 'would' : 'could'} hit every ${role} ` +
          `(${replicas.length} of ${replicas.length}: ${replicas.map((c) => c.id).join(', ')}); ` +
          'an outage of a whole role needs allowAllReplicas: true, or narrow the target (count, node, id)',
      });
    }
  });
  return issues;
}

/** Roles of which the fault can take out every replica. */
export function rolesWhollyHit(
  fault: FaultSpec,
  topology: Topology,
  candidates = candidatesOf(fault, topology),
): Role[] {
  const roles = [...new Set(topology.map((c) => c.role))];
  const scope = scopeOf(fault);
  const count = (available: number) =>
    fault.target.count === 'all' ? available : Math.min(fault.target.count, available);
  const deterministic = fault.target.pick === 'first';
  return roles.filter((role) => {
    const replicas = topology.filter((c) => c.role === role);
    if (replicas.length === 0) return false;
    switch (scope) {
      case 'etcd-leader':
        return role === 'etcd' && replicas.length <= 1;
      case 'etcd-quorum':
        return role === 'etcd' && etcdMajority(candidates.length) >= replicas.length;
      case 'node': {
        const nodes = [...new Set(candidates.map((c) => c.node))];
        const k = count(nodes.length);
        const needed = new Set(replicas.map((c) => c.node));
        if (deterministic) {
          const chosen = new Set(nodes.slice(0, k));
          return [...needed].every((n) => chosen.has(n));
        }
        return [...needed].every((n) => nodes.includes(n)) && needed.size <= k;
      }
      case 'component': {
        const k = count(candidates.length);
        if (deterministic) return covers(candidates.slice(0, k), replicas);
        return covers(candidates, replicas) && replicas.length <= k;
      }
    }
    return false;
  });
}

function covers(hit: readonly TopologyComponent[], replicas: readonly TopologyComponent[]): boolean {
  const ids = new Set(hit.map((c) => c.id));
  return replicas.every((c) => ids.has(c.id));
}
