import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { ComponentInfo, StackHandle } from '../../core/platform/platform.js';
import { controlNode } from '../../platforms/local/local-platform.js';
import type { Role } from '../../stack/protocol/registry-keys.js';

/** What target selection and the blast-radius check need to know about a component. */
export interface TopologyComponent {
  role: Role;
  id: string;
  node: string;
}

export type Topology = readonly TopologyComponent[];

/**
 * The components a config will have, named as the platforms name them (`<node>-gpu<i>`, `batcher-<i>`,
 * `gateway-0`, `etcd-<i>`; control-plane components on the node `control`). Lets `--dry-run` and file
 * validation work before any stack exists; at run time the stack's own list is used instead.
 */
export function topologyFromConfig(config: ClusterConfig): Topology {
  const out: TopologyComponent[] = [];
  for (let i = 0; i < config.etcd.members; i++)
    out.push({ role: 'etcd', id: `etcd-${i}`, node: controlNode });
  for (const node of config.nodes) {
    for (let gpu = 0; gpu < node.gpus; gpu++) {
      out.push({ role: 'worker', id: `${node.name}-gpu${gpu}`, node: node.name });
    }
  }
  for (let i = 0; i < config.batchers.replicas; i++) {
    out.push({ role: 'batcher', id: `batcher-${i}`, node: controlNode });
  }
  out.push({ role: 'gateway', id: 'gateway-0', node: controlNode });
  return out;
}

export function topologyOfStack(stack: Pick<StackHandle, 'components'>): Topology {
  return stack.components().map(({ role, id, node }: ComponentInfo) => ({ role, id, node }));
}

export function replicasOf(topology: Topology, role: Role): TopologyComponent[] {
  return topology.filter((c) => c.role === role);
}
