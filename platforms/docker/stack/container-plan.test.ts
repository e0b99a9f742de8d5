import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../../core/config/load-cluster-config.js';
import { planContainers } from './container-plan.js';

const plan = (yaml: string) =>
  planContainers({
    config: parseClusterConfig(yaml),
    runId: 'r1',
    images: { stack: 'gauntlet/stack:x', etcd: 'gauntlet/etcd:x', nginx: 'gauntlet/nginx:x' },
    apiKey: 'key-12345678',
    adminToken: 'adm',
    machineCpus: 2,
  });

describe('docker containers for a load-balanced config', () => {
  const specs = plan(
    'etcd: { members: 1 }\ngateway: { replicas: 2 }\nload_balancer: { enabled: true, backup: 1 }',
  );

  it('plans every gateway and nginx last, and publishes nginx only', () => {
    expect(specs.filter((s) => s.role === 'gateway' || s.role === 'load_balancer').map((s) => s.id)).toEqual([
      'gateway-0',
      'gateway-1',
      'load-balancer-0',
    ]);
    expect(specs.at(-1)?.role).toBe('load_balancer');
    expect(specs.filter((s) => s.publish).map((s) => s.id)).toEqual(['load-balancer-0']);
  });

  it('gives nginx the rendered upstream block, with the gateways by their network names', () => {
    const nginx = specs.find((s) => s.role === 'load_balancer');
    expect(nginx?.image).toBe('gauntlet/nginx:x');
    const conf = nginx?.files?.[0];
    expect(conf?.path).toBe('/etc/nginx/nginx.conf');
    expect(conf?.content).toContain('server gateway-0:8000 max_fails=1 fail_timeout=10s;');
    expect(conf?.content).toContain('server gateway-1:8000 max_fails=1 fail_timeout=10s backup;');
    expect(conf?.content).toContain('listen 8080;');
  });

  it('publishes the one gateway when there is no load balancer', () => {
    expect(
      plan('etcd: { members: 1 }')
        .filter((s) => s.publish)
        .map((s) => s.id),
    ).toEqual(['gateway-0']);
  });
});
