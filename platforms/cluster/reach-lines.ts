import type { FaultReach } from '../../core/platform/platform.js';
import { statefulPodName } from '../kind/kind-plan.js';

/** A Kubernetes node as the dry run names it: its name and its `gauntlet.dev/node` label. */
export interface KubeNodeName {
  name: string;
  gauntletNode: string;
}

/** A pod that exists (an attached stack), as the dry run names it. */
export interface FoundPod {
  name: string;
  /** The Kubernetes node it runs on; unset while unscheduled. */
  node?: string | undefined;
}

export interface ReachInput {
  where: { context: string; namespace: string };
  reach: FaultReach;
  /** Nodes labelled gauntlet.dev/node, as the cluster has them now. */
  kubeNodes: readonly KubeNodeName[];
  /** Deploy: the objects the run would create (kinds and names). */
  created?: ReadonlyArray<{ kind: string; name: string }> | undefined;
  /** Attach: the pods of each role the faults may act on, found by its selector now. */
  attached?: ReadonlyArray<{ role: string; selector: string; pods: readonly FoundPod[] }> | undefined;
}

/**
 * The dry run's account of what a cluster run touches, in the cluster's own names: what a deploy would
 * create (nothing for --attach), the pods the faults may act on (a deploy's by the names its controllers
 * will give them, placed by the gauntlet.dev/node label; an attached stack's as found), and the nodes a
 * node fault may cordon and drain. Pure.
 */
export function reachLines(input: ReachInput): string[] {
  const { context, namespace } = input.where;
  const kubeNodesOf = (gauntletNode: string) => {
    const names = input.kubeNodes.filter((n) => n.gauntletNode === gauntletNode).map((n) => n.name);
    return names.length > 0
      ? names.join(', ')
      : `none labelled gauntlet.dev/node=${gauntletNode} yet (label the node first)`;
  };
  const lines: string[] = [];
  if (input.created) {
    lines.push(
      `Would create in ${context}/${namespace}, labelled gauntlet.dev/run=<run id> and deleted at teardown (${input.created.length} objects):`,
      `  ${input.created.map((o) => `${o.kind}/${o.name}`).join(', ')}`,
    );
  } else {
    lines.push(`Would create nothing in ${context}/${namespace} (--attach)`);
  }
  if (input.attached) {
    lines.push('Faults may act on these pods (found now by their role selector):');
    for (const { role, selector, pods } of input.attached) {
      const listed = pods.map((p) => `${p.name}${p.node ? ` on ${p.node}` : ''}`).join(', ');
      lines.push(`  ${role} (${selector}): ${listed || 'none found'}`);
    }
  } else {
    lines.push(
      'Faults may act on these pods (once created; placed on nodes by their gauntlet.dev/node label):',
    );
    const byNode = new Map<string, string[]>();
    for (const c of input.reach.components) {
      const pod = statefulPodName(c) ?? `a pod of Deployment/${c.role}`;
      byNode.set(c.node, [...(byNode.get(c.node) ?? []), `${pod} (${c.id})`]);
    }
    for (const [node, pods] of byNode) lines.push(`  ${node} -> ${kubeNodesOf(node)}: ${pods.join(', ')}`);
    if (byNode.size === 0) lines.push('  none');
  }
  if (input.reach.nodes.length > 0) {
    lines.push(
      `Node faults may cordon and drain: ${input.reach.nodes.map((n) => `${n} -> ${kubeNodesOf(n)}`).join('; ')}`,
    );
  }
  return lines;
}
