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

describe('cluster config', () => {
  it('defaults to 3 etcd members, 1 gateway, 2 batchers, 2 nodes x 2 GPUs', () => {
    const config = parseClusterConfig('');
    expect(config.etcd.members).toBe(3);
    expect(config.gateway.replicas).toBe(1);
    expect(config.batchers.replicas).toBe(2);
    expect(config.nodes).toEqual([
      { name: 'node-a', gpus: 2 },
      { name: 'node-b', gpus: 2 },
    ]);
    expect(config.worker_replicas).toBe(4);
  });

  it('derives nodes from the seed fields worker_replicas and resource_limits.gpu', () => {
    const config = parseClusterConfig('worker_replicas: 5\nresource_limits:\n  gpu: 2\n  cpu: "8"\n');
    expect(config.nodes.map((n) => n.gpus)).toEqual([2, 2, 1]);
  });

  it('names file, line, field and the allowed range for a bad number', () => {
    const error = errorOf('cluster_name: ok\nbatchers:\n  max_batch_size: 0\n');
    expect(error.message).toBe('cluster.yaml:3:3: batchers.max_batch_size: must be >= 1 (got 0)');
  });

  it('names an unknown field at its own line', () => {
    const error = errorOf('cluster_name: ok\nbatcherz: 1\n');
    expect(error.issues[0]).toMatchObject({ line: 2, field: 'batcherz' });
    expect(error.message).toContain('unknown field "batcherz"; allowed: cluster_name, model_name');
  });

  it('lists the allowed values of an enum-like field', () => {
    const error = errorOf('etcd:\n  members: 2\n');
    expect(error.issues[0]).toMatchObject({ line: 2, field: 'etcd.members' });
    expect(error.message).toMatch(/1|3/);
  });

  it('rejects duplicate node names and a worker_replicas that disagrees with the nodes', () => {
    const error = errorOf('nodes:\n  - name: a\n    gpus: 2\n  - name: a\nworker_replicas: 5\n');
    const fields = error.issues.map((i) => i.field);
    expect(fields).toContain('nodes[1].name');
    expect(fields).toContain('worker_replicas');
    expect(error.issues.find((i) => i.field === 'nodes[1].name')?.line).toBe(4);
  });

  it('keeps every defect switch off by default', () => {
    expect(parseClusterConfig('').defects).toEqual({
      worker_never_answers_share: 0,
      worker_slowdown_after_fault: 1,
      batcher_ejection_disabled: false,
      batcher_fail_share_after_return: 0,
    });
  });

  it('names file, line, field and the allowed bound of a bad defect switch', () => {
    expect(errorOf('defects:\n  worker_never_answers_share: 1.5\n').message).toBe(
      'cluster.yaml:2:3: defects.worker_never_answers_share: must be <= 1 (got 1.5)',
    );
    expect(errorOf('defects:\n  worker_slowdown_after_fault: 0.5\n').message).toBe(
      'cluster.yaml:2:3: defects.worker_slowdown_after_fault: must be >= 1 (got 0.5)',
    );
    const unknown = errorOf('defects:\n  worker_hangs: true\n');
    expect(unknown.issues[0]).toMatchObject({ line: 2, field: 'defects.worker_hangs' });
    expect(unknown.message).toContain('allowed: worker_never_answers_share, worker_slowdown_after_fault');
    expect(errorOf('defects:\n  batcher_ejection_disabled: "yes"\n').issues[0]).toMatchObject({
      line: 2,
      field: 'defects.batcher_ejection_disabled',
    });
  });

  it('reports YAML syntax errors with a line', () => {
    const error = errorOf('a: [\n');
    expect(error.issues[0]?.message).toMatch(/^invalid YAML/);
    expect(error.issues[0]?.line).toBeGreaterThan(0);
  });
});
