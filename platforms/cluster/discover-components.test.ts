import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  attachRoles,
  defaultSelector,
  discoverComponents,
  parseLabelSelector,
} from './discover-components.js';

const pod = (name: string, labels: Record<string, string>, node: string, owner?: string): V1Pod => ({
  metadata: {
    name,
    labels,
    ...(owner ? { ownerReferences: [{ kind: owner, name: 'x', apiVersion: 'apps/v1', uid: '1' }] } : {}),
  },
  spec: { nodeName: node, containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 9000 }] }] },
});
const nodes: V1Node[] = [
  { metadata: { name: 'ip-10-0-0-1', labels: { 'gauntlet.dev/node': 'node-a' } } },
  { metadata: { name: 'ip-10-0-0-2' } },
];
const defaults = Object.fromEntries(attachRoles.map((r) => [r, defaultSelector(r)])) as Parameters<
  typeof discoverComponents
>[2];

describe('discoverComponents (--attach)', () => {
  it('finds each role by its selector: StatefulSet pods by name, the others by slot, nodes by their label', () => {
    const pods = [
      pod('worker-b', { 'gauntlet.dev/role': 'worker' }, 'ip-10-0-0-2', 'StatefulSet'),
      pod('worker-a', { 'gauntlet.dev/role': 'worker' }, 'ip-10-0-0-1', 'StatefulSet'),
      pod('gateway-7f9c-xk2', { 'gauntlet.dev/role': 'gateway' }, 'ip-10-0-0-2', 'ReplicaSet'),
      pod('unrelated', { app: 'other' }, 'ip-10-0-0-2'),
    ];
    const { components, problems } = discoverComponents(pods, nodes, defaults, 'team');
    expect(problems).toEqual([]);
    expect(components).toEqual([
      { role: 'gateway', id: 'gateway-0', node: 'ip-10-0-0-2', port: 9000, podName: undefined },
      { role: 'worker', id: 'worker-a', node: 'node-a', port: 9000, podName: 'worker-a' },
      { role: 'worker', id: 'worker-b', node: 'ip-10-0-0-2', port: 9000, podName: 'worker-b' },
    ]);
  });

  it('uses the selector given for a role, and says what matched nothing', () => {
    const pods = [pod('vllm-0', { app: 'vllm' }, 'ip-10-0-0-1', 'StatefulSet')];
    const { components, problems } = discoverComponents(
      pods,
      nodes,
      { ...defaults, worker: parseLabelSelector('app=vllm') },
      'team',
    );
    expect(components.map((c) => c.id)).toEqual(['vllm-0']);
    expect(problems).toEqual([
      'no pod in namespace team matches the gateway selector gauntlet.dev/role=gateway (set another with --selector gateway=KEY=VALUE)',
    ]);
  });

  it('parses equality selectors and refuses set-based ones', () => {
    expect(parseLabelSelector('app=vllm, tier==gpu')).toEqual({ app: 'vllm', tier: 'gpu' });
    expect(() => parseLabelSelector('app in (a,b)')).toThrow('only equality selectors');
    expect(() => parseLabelSelector('app!=x')).toThrow('"app!=x" is not key=value');
  });
});
