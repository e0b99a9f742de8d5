import { stringify } from 'yaml';

export interface KindClusterShape {
  /** Gauntlet node names; each becomes one kind worker labelled gauntlet.dev/node=<name>. */
  gauntletNodes: string[];
  /** Pod network; distinct from other local clusters, because the host routes to it. */
  podSubnet: string;
}

/**
 * The kind cluster config: one control plane and one worker per Gauntlet node. No default CNI
 * (kindnetd's image would have to be pulled; bridge-cni.ts configures each node instead) and the API
 * server on 127.0.0.1 only.
 */
export function renderKindClusterConfig(shape: KindClusterShape): string {
  if (shape.gauntletNodes.length === 0)
    throw new Error('renderKindClusterConfig: gauntletNodes must not be empty');
  for (const name of shape.gauntletNodes) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
      throw new Error(`renderKindClusterConfig: node name "${name}" is not a DNS label (a-z, 0-9, -)`);
    }
  }
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(shape.podSubnet)) {
    throw new Error(`renderKindClusterConfig: podSubnet "${shape.podSubnet}" is not an IPv4 CIDR`);
  }
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking: { disableDefaultCNI: true, apiServerAddress: '127.0.0.1', podSubnet: shape.podSubnet },
    nodes: [
      { role: 'control-plane' },
      ...shape.gauntletNodes.map((name) => ({ role: 'worker', labels: { 'gauntlet.dev/node': name } })),
    ],
  });
}
