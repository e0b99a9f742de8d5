import { etcdMajority } from '../../core/cluster/etcd-quorum.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import type { BlastBudget } from '../../core/platform/blast-budget.js';
import type { Role } from '../../core/platform/roles.js';
import { requiredCapabilities } from '../faults/fault-registry.js';
import type { TargetIssue } from './blast-radius.js';
import type { Experiment, FaultSpec } from './experiment-schema.js';
import { candidatesOf, scopeOf } from './resolve-targets.js';
import type { Topology } from './topology.js';

export type { BlastBudget };

const nodeLossCapabilities = new Set(['node-kill', 'node-freeze']);

/**
 * Every fault of the experiment that exceeds the budget, judged by its worst case (a `pick: random` of k
 * replicas is judged as the k of the role it could hit most of), each with what it would hit and the limit.
 */
export function budgetIssues(experiment: Experiment, topology: Topology, budget: BlastBudget): TargetIssue[] {
  const issues: TargetIssue[] = [];
  const nodes = [...new Set(topology.map((c) => c.node))];
  experiment.faults.forEach((fault, index) => {
    const path = ['faults', index];
    if (
      !budget.allowNodeLoss &&
      requiredCapabilities(fault).some((capability) => nodeLossCapabilities.has(capability))
    ) {
      issues.push({
        path: [...path, 'action'],
        message:
          `${fault.action} loses a node, which ${budget.source} does not allow (allowNodeLoss: false); ` +
          'node-drain (cordon and evict, honouring PDBs) is allowed',
      });
    }
    const worst = worstCaseHit(fault, topology);
    if (worst.nodes > 0 && nodes.length > 0 && worst.nodes / nodes.length > budget.maxNodeShare) {
      issues.push({
        path: [...path, 'target'],
        message: `${fault.action} could act on ${worst.nodes} of ${nodes.length} nodes (${percent(worst.nodes / nodes.length)}), over the ${percent(budget.maxNodeShare)} of nodes ${budget.source} allows`,
      });
    }
    for (const [role, hit] of worst.byRole) {
      const replicas = topology.filter((c) => c.role === role).length;
      if (hit / replicas > budget.maxRoleShare) {
        issues.push({
          path: [...path, 'target'],
          message: `${fault.action} could act on ${hit} of ${replicas} ${role} replicas (${percent(hit / replicas)}), over the ${percent(budget.maxRoleShare)} of a role ${budget.source} allows`,
        });
      }
    }
  });
  return issues;
}

interface WorstCase {
  nodes: number;
  byRole: Map<Role, number>;
}

function worstCaseHit(fault: FaultSpec, topology: Topology): WorstCase {
  const candidates = candidatesOf(fault, topology);
  const count = (available: number) =>
    fault.target.count === 'all' ? available : Math.min(fault.target.count, available);
  const byRole = new Map<Role, number>();
  switch (scopeOf(fault)) {
    case 'etcd-leader':
      if (candidates.length > 0) byRole.set('etcd', 1);
      return { nodes: 0, byRole };
    case 'etcd-quorum':
      if (candidates.length > 0) byRole.set('etcd', etcdMajority(candidates.length));
      return { nodes: 0, byRole };
    case 'node': {
      const nodes = [...new Set(candidates.map((c) => c.node))];
      const k = count(nodes.length);
      for (const role of new Set(topology.map((c) => c.role))) {
        // The k nodes holding the most replicas of this role.
        const perNode = nodes
          .map((node) => topology.filter((c) => c.node === node && c.role === role).length)
          .sort((a, b) => b - a);
        const hit = perNode.slice(0, k).reduce((sum, n) => sum + n, 0);
        if (hit > 0) byRole.set(role, hit);
      }
      return { nodes: k, byRole };
    }
    case 'component': {
      const k = count(candidates.length);
      for (const role of new Set(candidates.map((c) => c.role))) {
        byRole.set(role, Math.min(k, candidates.filter((c) => c.role === role).length));
      }
      return { nodes: 0, byRole };
    }
  }
}

/** Refuses, before anything starts, an experiment over the budget: every fault over it, and why. */
export function assertWithinBudget(experiment: Experiment, topology: Topology, budget: BlastBudget): void {
  const issues = budgetIssues(experiment, topology, budget);
  if (issues.length === 0) return;
  throw new UserFacingError(
    `refused: experiment ${experiment.id} is over the blast budget of ${budget.source}:\n` +
      issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n'),
  );
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}
