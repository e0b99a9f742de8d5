/** A kind node as the API server reports it once kubeadm has given it a pod CIDR. */
export interface NodeAddress {
  name: string;
  podCidr: string;
  internalIp: string;
}

/**
 * The CNI config for one node without kindnetd: a Linux bridge on the node's pod CIDR (host-local
 * IPAM), pods' default route through it, portmap for hostPort. No masquerade: other nodes and the
 * host reach pod IPs directly through the routes of `routesFor`.
 */
export function renderBridgeConflist(podCidr: string): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'gauntlet-bridge',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** Routes `node` needs: every other node's pod CIDR via that node's address on the kind network. */
export function routesFor(node: NodeAddress, all: NodeAddress[]): Array<{ dst: string; via: string }> {
  return all
    .filter((other) => other.name !== node.name)
    .map((other) => ({ dst: other.podCidr, via: other.internalIp }));
}
