import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../core/config/load-cluster-config.js';
import { capabilityNames, missingCapabilities } from '../../core/platform/capabilities.js';
import { LocalPlatform } from './local-platform.js';

describe('the local platform before bring-up', () => {
  const platform = new LocalPlatform();

  it('plans the components it will start, with stable ids and nodes', () => {
    const plan = platform.plan(parseClusterConfig('nodes: [{ name: solo, gpus: 2 }]\netcd: { members: 1 }'));
    expect(plan.components.map((c) => `${c.role}:${c.id}@${c.node}`)).toEqual([
      'etcd:etcd-0@control',
      'worker:solo-gpu0@solo',
      'worker:solo-gpu1@solo',
      'batcher:batcher-0@control',
      'batcher:batcher-1@control',
      'gateway:gateway-0@control',
    ]);
    expect(plan.nodes).toEqual(['control', 'solo']);
  });

  it('plans every gateway and the nginx in front of them when the load balancer is on', () => {
    const plan = platform.plan(
      parseClusterConfig('etcd: { members: 1 }\ngateway: { replicas: 2 }\nload_balancer: { enabled: true }'),
    );
    expect(plan.components.filter((c) => c.node === 'control').map((c) => `${c.role}:${c.id}`)).toEqual([
      'etcd:etcd-0',
      'batcher:batcher-0',
      'batcher:batcher-1',
      'gateway:gateway-0',
      'gateway:gateway-1',
      'load_balancer:load-balancer-0',
    ]);
  });

  it('declares node drain and in-pod HTTP faults unsupported, with the reasons, and everything else supported', () => {
    expect(missingCapabilities(platform.capabilities, capabilityNames)).toEqual([
      {
        capability: 'node-drain',
        reason: 'local processes have no scheduler to move them to another node',
      },
      {
        capability: 'pod-http-faults',
        reason: expect.stringContaining('xk6-disruptor injects its agent into Kubernetes pods'),
      },
    ]);
  });
});
