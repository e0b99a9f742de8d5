import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { Topology, TopologyComponent } from '../experiment/topology.js';

/**
 * A platform double's plan for chaos unit tests: the components a config yields, named the way the
 * shipped platforms name them (`<node>-gpu<i>`, `batcher-<i>`, `gateway-<i>`, `etcd-<i>`, `load-balancer-0`, control plane on
 * `control`), without importing any platform (chaos knows platforms only through core's contract).
 */
export function plannedTopology(config: ClusterConfig): Topology {
  const control = 'control';
  const out: TopologyComponent[] = [];
  for (let i = 0; i < config.etcd.members; i++) out.push({ role: 'etcd', id: `etcd-${i}`, node: control });
  for (const node of config.nodes) {
    for (let gpu = 0; gpu < node.gpus; gpu++) {
      out.push({ role: 'worker', id: `${node.name}-gpu${gpu}`, node: node.name });
    }
  }
  for (let i = 0; i < config.batchers.replicas; i++)
    out.push({ role: 'batcher', id: `batcher-${i}`, node: control });
  for (let i = 0; i < config.gateway.replicas; i++)
    out.push({ role: 'gateway', id: `gateway-${i}`, node: control });
  if (config.load_balancer.enabled) out.push({ role: 'load_balancer', id: 'load-balancer-0', node: control });
  return out;
}
