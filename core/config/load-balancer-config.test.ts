import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseClusterConfig } from './load-cluster-config.js';

function errorOf(text: string): ConfigError {
  try {
    parseClusterConfig(text, 'cluster.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('load_balancer config', () => {
  it('is off by default, with the seed upstream settings', () => {
    const { load_balancer: lb, gateway } = parseClusterConfig('');
    expect(gateway.replicas).toBe(1);
    expect(lb).toMatchObject({
      enabled: false,
      method: 'least_conn',
      max_fails: 1,
      proxy_next_upstream: true,
    });
  });

  it('accepts two gateways behind nginx, with weights and a backup', () => {
    const config = parseClusterConfig(
      'gateway:\n  replicas: 3\nload_balancer:\n  enabled: true\n  weights: [2, 1, 1]\n  backup: 1\n',
    );
    expect(config.gateway.replicas).toBe(3);
    expect(config.load_balancer).toMatchObject({ enabled: true, weights: [2, 1, 1], backup: 1 });
  });

  it('says that more than one gateway needs the load balancer', () => {
    const error = errorOf('gateway:\n  replicas: 2\n');
    expect(error.message).toBe(
      'cluster.yaml:2:3: gateway.replicas: more than 1 gateway needs load_balancer.enabled: true; clients reach them through nginx (got 2)',
    );
  });

  it('says that the load balancer needs two gateways', () => {
    const error = errorOf('load_balancer:\n  enabled: true\n');
    expect(error.issues[0]).toMatchObject({ field: 'load_balancer.enabled', line: 2 });
    expect(error.message).toContain('needs gateway.replicas >= 2 to balance between (gateway.replicas is 1)');
  });

  it('names a weight list of the wrong length and a backup count that leaves no primary', () => {
    const error = errorOf(
      'gateway:\n  replicas: 2\nload_balancer:\n  enabled: true\n  weights: [1]\n  backup: 2\n',
    );
    const byField = Object.fromEntries(error.issues.map((i) => [i.field, i.message]));
    expect(byField['load_balancer.weights']).toContain('one weight per gateway: 2 (gateway.replicas), not 1');
    expect(byField['load_balancer.backup']).toContain('must be < gateway.replicas (2)');
  });

  it('lists the allowed balancing methods', () => {
    const error = errorOf('load_balancer:\n  method: ip_hash\n');
    expect(error.issues[0]).toMatchObject({ field: 'load_balancer.method', line: 2 });
    expect(error.message).toMatch(/least_conn/);
  });
});
