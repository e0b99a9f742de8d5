import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { PlannedComponent, StackPlan } from '../../core/platform/stack-plan.js';

/** Control-plane components (etcd, gateway, batchers) share one notional node on the local platform. */
export const controlNode = 'control';

/** The nginx in front of the gateways, when the config enables it. */
export const loadBalancerId = 'load-balancer-0';

/**
 * The components the local platform starts for a config, named as it names them (`<node>-gpu<i>`,
 * `batcher-<i>`, `gateway-<i>`, `etcd-<i>`, `load-balancer-0`); LocalPlatform.up builds exactly these.
 */
export function planLocalStack(config: ClusterConfig): StackPlan {
  const components: PlannedComponent[] = [];
  for (let i = 0; i < config.etcd.members; i++)
    components.push({ role: 'etcd', id: `etcd-${i}`, node: controlNode });
  for (const node of config.nodes) {
    for (let gpu = 0; gpu < node.gpus; gpu++) {
      components.push({ role: 'worker', id: `${node.name}-gpu${gpu}`, node: node.name });
    }
  }
  for (let i = 0; i < config.batchers.replicas; i++) {
    components.push({ role: 'batcher', id: `batcher-${i}`, node: controlNode });
  }
  for (let i = 0; i < config.gateway.replicas; i++) {
    components.push({ role: 'gateway', id: `gateway-${i}`, node: controlNode });
  }
  if (config.load_balancer.enabled) {
    components.push({ role: 'load_balancer', id: loadBalancerId, node: controlNode });
  }
  return { nodes: [...new Set(components.map((c) => c.node))], components };
}
