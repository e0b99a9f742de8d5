import { stringify } from 'yaml';

/** The Gauntlet node name of kind's control-plane node: etcd, batchers and gateways run there. */
export const controlNodeName = 'control';

export interface KindClusterShape {
  /** Gauntlet node names; each becomes one kind worker labelled gauntlet.dev/node=<name>. */
  gauntletNodes: string[];
  /** Pod network; distinct from other local clusters, because the host routes to it. */
  podSubnet: string;
  /** Ports of the control-plane node published on 127.0.0.1 (a NodePort Service's port → a host port). */
  portMappings?: Array<{ containerPort: number; hostPort: number }>;
}

/**
 * The kind cluster config: one control plane and one worker per Gauntlet node. No default CNI
 * (kindnetd's image would have to be pulled; bridge-cni.ts configures each node instead) and the API
 * server on 127.0.0.1 only. The control plane is labelled as Gauntlet's `control` node, so that the
 * worker nodes hold only GPU workers and losing one of them loses what a lost GPU node loses.
 */
export function renderKindClusterConfig(shape: KindClusterShape): string {
  if (shape.gauntletNodes.length === 0)
    throw new Error('renderKindClusterConfig: gauntletNodes must not be empty');
  for (const name of shape.gauntletNodes) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) {
      throw new Error(`renderKindClusterConfig: node name "${name}" is not a DNS label (a-z, 0-9, -)`);
    }
    if (name === controlNodeName) {
      throw new Error(`renderKindClusterConfig: node name "${name}" is the control plane's; pick another`);
    }
  }
  if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(shape.podSubnet)) {
    throw new Error(`renderKindClusterConfig: podSubnet "${shape.podSubnet}" is not an IPv4 CIDR`);
  }
  const mappings = (shape.portMappings ?? []).map((m) => ({
    containerPort: m.containerPort,
    hostPort: m.hostPort,
    listenAddress: '127.0.0.1',
    protocol: 'TCP',
  }));
  return stringify({
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking: { disableDefaultCNI: true, apiServerAddress: '127.0.0.1', podSubnet: shape.podSubnet },
    nodes: [
      {
        role: 'control-plane',
        labels: { 'gauntlet.dev/node': controlNodeName },
        ...(mappings.length > 0 ? { extraPortMappings: mappings } : {}),
      },
      ...shape.gauntletNodes.map((name) => ({ role: 'worker', labels: { 'gauntlet.dev/node': name } })),
    ],
  });
}
