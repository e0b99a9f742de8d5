import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderBridgeConflist, routesFor } from './bridge-cni.js';
import { renderKindClusterConfig } from './kind-cluster-config.js';

describe('renderKindClusterConfig', () => {
  it('has one control plane and one labelled worker per Gauntlet node, no default CNI, API on 127.0.0.1', () => {
    const config = parse(
      renderKindClusterConfig({ gauntletNodes: ['node-a', 'node-b'], podSubnet: '10.245.0.0/16' }),
    );
    expect(config).toEqual({
      kind: 'Cluster',
      apiVersion: 'kind.x-k8s.io/v1alpha4',
      networking: { disableDefaultCNI: true, apiServerAddress: '127.0.0.1', podSubnet: '10.245.0.0/16' },
      nodes: [
        { role: 'control-plane', labels: { 'gauntlet.dev/node': 'control' } },
        { role: 'worker', labels: { 'gauntlet.dev/node': 'node-a' } },
        { role: 'worker', labels: { 'gauntlet.dev/node': 'node-b' } },
      ],
    });
  });

  it('publishes NodePorts of the control plane on 127.0.0.1 only', () => {
    const config = parse(
      renderKindClusterConfig({
        gauntletNodes: ['node-a'],
        podSubnet: '10.245.0.0/16',
        portMappings: [{ containerPort: 30080, hostPort: 41234 }],
      }),
    );
    expect(config.nodes[0].extraPortMappings).toEqual([
      { containerPort: 30080, hostPort: 41234, listenAddress: '127.0.0.1', protocol: 'TCP' },
    ]);
  });

  it('says which value is wrong', () => {
    expect(() => renderKindClusterConfig({ gauntletNodes: [], podSubnet: '10.0.0.0/16' })).toThrow(
      /must not be empty/,
    );
    expect(() => renderKindClusterConfig({ gauntletNodes: ['Node_A'], podSubnet: '10.0.0.0/16' })).toThrow(
      'node name "Node_A" is not a DNS label',
    );
    expect(() => renderKindClusterConfig({ gauntletNodes: ['control'], podSubnet: '10.0.0.0/16' })).toThrow(
      /control plane's/,
    );
    expect(() => renderKindClusterConfig({ gauntletNodes: ['a'], podSubnet: '10.0.0.0' })).toThrow(
      'podSubnet "10.0.0.0" is not an IPv4 CIDR',
    );
  });
});

describe('bridge CNI', () => {
  const nodes = [
    { name: 'g-control-plane', podCidr: '10.245.0.0/24', internalIp: '172.18.0.2' },
    { name: 'g-worker', podCidr: '10.245.1.0/24', internalIp: '172.18.0.3' },
    { name: 'g-worker2', podCidr: '10.245.2.0/24', internalIp: '172.18.0.4' },
  ];

  it('gives pods addresses from the node pod CIDR through a bridge, without masquerading', () => {
    const conf = JSON.parse(renderBridgeConflist('10.245.1.0/24'));
    const bridge = conf.plugins[0];
    expect(bridge).toMatchObject({ type: 'bridge', isGateway: true, ipMasq: false });
    expect(bridge.ipam.ranges).toEqual([[{ subnet: '10.245.1.0/24' }]]);
    expect(conf.plugins.map((p: { type: string }) => p.type)).toEqual(['bridge', 'portmap']);
  });

  it('routes every other node pod CIDR via that node, never its own', () => {
    expect(routesFor(nodes[1] as (typeof nodes)[number], nodes)).toEqual([
      { dst: '10.245.0.0/24', via: '172.18.0.2' },
      { dst: '10.245.2.0/24', via: '172.18.0.4' },
    ]);
  });
});
