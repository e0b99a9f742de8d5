import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { PlannedComponent, StackPlan } from '../../core/platform/stack-plan.js';
import { controlNodeName } from './kind-cluster-config.js';
import { workerPodsPerNode } from './worker-groups.js';

/**
 * The components a kind stack has for a config, with the ids every platform uses (`etcd-<i>`,
 * `<node>-gpu<i>`, `batcher-<i>`, `gateway-<i>`). Workers are on their Gauntlet node (a kind worker
 * labelled with it); etcd, batchers and gateways on kind's control-plane node, Gauntlet's `control`.
 * `gpusPerWorker`: GPUs each worker pod holds (2 on the cluster platform's a100 overlay, a TP group);
 * a worker's index is then its pod's ordinal, the index of its group on the node.
 */
export function planKindStack(config: ClusterConfig, gpusPerWorker = 1): StackPlan {
  const components: PlannedComponent[] = [];
  for (let i = 0; i < config.etcd.members; i++)
    components.push({ role: 'etcd', id: `etcd-${i}`, node: controlNodeName });
  for (const [node, workers] of workerPodsPerNode(config, gpusPerWorker)) {
    for (let index = 0; index < workers; index++)
      components.push({ role: 'worker', id: `${node}-gpu${index}`, node });
  }
  for (let i = 0; i < config.batchers.replicas; i++)
    components.push({ role: 'batcher', id: `batcher-${i}`, node: controlNodeName });
  for (let i = 0; i < config.gateway.replicas; i++)
    components.push({ role: 'gateway', id: `gateway-${i}`, node: controlNodeName });
  return { nodes: [...new Set(components.map((c) => c.node))], components };
}

/** The pod name of a planned component, where its controller gives it a stable one (StatefulSets). */
export function statefulPodName(component: PlannedComponent): string | undefined {
  switch (component.role) {
    case 'etcd':
    case 'batcher':
      return component.id;
    case 'worker': {
      const match = /^(.*)-gpu(\d+)$/.exec(component.id);
      return match ? `worker-${match[1]}-${match[2]}` : undefined;
    }
    default:
      return undefined;
  }
}
