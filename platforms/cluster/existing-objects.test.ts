import { describe, expect, it } from 'vitest';
import { existingObjectsOf, resourceOf } from './existing-objects.js';

describe('resourceOf', () => {
  it('qualifies a kind with its API group, so that no custom resource of the same kind answers', () => {
    expect(resourceOf({ apiVersion: 'apps/v1', kind: 'StatefulSet' })).toBe('statefulset.apps');
    expect(resourceOf({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' })).toBe(
      'poddisruptionbudget.policy',
    );
    expect(resourceOf({ apiVersion: 'v1', kind: 'Service' })).toBe('service');
  });
});

describe('existingObjectsOf', () => {
  it('reads a List, a single object and nothing (--ignore-not-found)', () => {
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { kind: 'StatefulSet', metadata: { name: 'etcd', labels: { 'gauntlet.dev/run': 'r1' } } },
        { kind: 'Pod', metadata: { name: 'etcd-0', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      ],
    });
    expect(existingObjectsOf(list)).toEqual([
      { kind: 'StatefulSet', name: 'etcd', runId: 'r1', deleting: false },
      { kind: 'Pod', name: 'etcd-0', runId: undefined, deleting: true },
    ]);
    expect(existingObjectsOf(JSON.stringify({ kind: 'Deployment', metadata: { name: 'gateway' } }))).toEqual([
      { kind: 'Deployment', name: 'gateway', runId: undefined, deleting: false },
    ]);
    expect(existingObjectsOf('\n')).toEqual([]);
    expect(existingObjectsOf(JSON.stringify({ kind: 'List', items: [] }))).toEqual([]);
  });
});
