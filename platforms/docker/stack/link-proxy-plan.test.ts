import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../../core/config/load-cluster-config.js';
import type { ServiceEnv } from '../../../stack/runtime/service-env.js';
import { planContainers, planDockerStack } from './container-plan.js';
import { labelKeys } from './labels.js';
import { planLinkProxies, toxiproxyContainer } from './link-proxy-plan.js';

const config = parseClusterConfig(
  'etcd: { members: 3 }\nbatchers: { replicas: 1 }\nnodes:\n  - { name: node-a, gpus: 2 }',
);
const proxies = planLinkProxies(planDockerStack(config).components);

const serviceEnv = (id: string, withProxies: boolean): ServiceEnv => {
  const spec = planContainers({
    config,
    runId: 'r1',
    images: { stack: 's', etcd: 'e' },
    apiKey: 'key-12345678',
    adminToken: 'adm',
    machineCpus: 2,
    ...(withProxies ? { linkProxies: proxies } : {}),
  }).find((s) => s.id === id);
  return JSON.parse(spec?.env.GAUNTLET_SERVICE ?? '{}') as ServiceEnv;
};

describe('docker link proxies', () => {
  it('puts one proxy in front of every etcd member, worker and batcher, never the gateway', () => {
    expect(proxies.map((p) => [p.name, p.listen, p.upstream])).toEqual([
      ['any->etcd-0', '0.0.0.0:20000', 'etcd-0:2379'],
      ['any->etcd-1', '0.0.0.0:20001', 'etcd-1:2379'],
      ['any->etcd-2', '0.0.0.0:20002', 'etcd-2:2379'],
      ['batcher->node-a-gpu0', '0.0.0.0:20003', 'node-a-gpu0:8000'],
      ['batcher->node-a-gpu1', '0.0.0.0:20004', 'node-a-gpu1:8000'],
      ['gateway->batcher-0', '0.0.0.0:20005', 'batcher-0:8000'],
    ]);
    expect(proxies.find((p) => p.targetId === 'node-a-gpu1')).toMatchObject({
      link: 'batcher->worker',
      listenUrl: 'http://toxiproxy:20004',
    });
  });

  it('has services advertise their proxy and reach etcd through the proxies', () => {
    const worker = serviceEnv('node-a-gpu0', true);
    expect(worker.advertiseUrl).toBe('http://toxiproxy:20003');
    expect(worker.etcdEndpoints).toEqual([
      'http://toxiproxy:20000',
      'http://toxiproxy:20001',
      'http://toxiproxy:20002',
    ]);
    expect(serviceEnv('batcher-0', true).advertiseUrl).toBe('http://toxiproxy:20005');
    // The gateway is the harness's entry and has no proxy of its own, but its etcd traffic crosses them.
    const gateway = serviceEnv('gateway-0', true);
    expect(gateway.advertiseUrl).toBe('http://gateway-0:8000');
    expect(gateway.etcdEndpoints).toEqual([
      'http://toxiproxy:20000',
      'http://toxiproxy:20001',
      'http://toxiproxy:20002',
    ]);
  });

  it('leaves services on direct addresses without proxies', () => {
    const worker = serviceEnv('node-a-gpu0', false);
    expect(worker.advertiseUrl).toBe('http://node-a-gpu0:8000');
    expect(worker.etcdEndpoints).toEqual(['http://etcd-0:2379', 'http://etcd-1:2379', 'http://etcd-2:2379']);
  });

  it('labels the toxiproxy container with the run and publishes its API only', () => {
    const recipe = toxiproxyContainer('r1', 'gauntlet/toxiproxy:x');
    expect(recipe.name).toBe('gauntlet-r1-toxiproxy');
    expect(recipe.labels[labelKeys.run]).toBe('r1');
    expect(recipe).toMatchObject({
      alias: 'toxiproxy',
      port: 8474,
      publish: true,
      readyHttpPath: '/version',
    });
  });
});
