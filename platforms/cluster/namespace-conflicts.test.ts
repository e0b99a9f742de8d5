import { describe, expect, it } from 'vitest';
import { conflictRefusal, namespaceConflicts } from './namespace-conflicts.js';

const planned = [
  { kind: 'StatefulSet', name: 'etcd' },
  { kind: 'Service', name: 'etcd' },
  { kind: 'Deployment', name: 'gateway' },
  { kind: 'Service', name: 'gateway' },
];
const where = { context: 'prod-eu-1', namespace: 'team-chaos' };

describe('namespaceConflicts', () => {
  it('finds none in a namespace with only other workloads, the kill switch and the operator Secret', () => {
    expect(
      namespaceConflicts(
        [
          { kind: 'Deployment', name: 'billing' },
          { kind: 'ConfigMap', name: 'gauntlet-kill-switch' },
          { kind: 'Secret', name: 'gauntlet-secrets' },
          // same name, other kind: apply would not touch it
          { kind: 'Deployment', name: 'etcd' },
        ],
        planned,
      ),
    ).toBeUndefined();
  });

  it("groups another run's objects by run, whatever their names, once each", () => {
    const conflicts = namespaceConflicts(
      [
        { kind: 'StatefulSet', name: 'etcd', runId: 'r1' },
        { kind: 'Pod', name: 'etcd-0', runId: 'r1', deleting: true },
        { kind: 'ConfigMap', name: 'gauntlet-cluster-config-x', runId: 'r2' },
        // the same object again, from the read by name
        { kind: 'StatefulSet', name: 'etcd', runId: 'r1' },
      ],
      planned,
    );
    expect(conflicts?.unlabelled).toEqual([]);
    expect([...(conflicts?.byRun.entries() ?? [])]).toEqual([
      [
        'r1',
        [
          { kind: 'StatefulSet', name: 'etcd', runId: 'r1' },
          { kind: 'Pod', name: 'etcd-0', runId: 'r1', deleting: true },
        ],
      ],
      ['r2', [{ kind: 'ConfigMap', name: 'gauntlet-cluster-config-x', runId: 'r2' }]],
    ]);
  });

  it('finds an unlabelled object under a name the deploy would apply over (a stack applied by hand)', () => {
    const conflicts = namespaceConflicts(
      [
        { kind: 'Deployment', name: 'gateway' },
        { kind: 'Deployment', name: 'billing' },
      ],
      planned,
    );
    expect(conflicts?.byRun.size).toBe(0);
    expect(conflicts?.unlabelled).toEqual([{ kind: 'Deployment', name: 'gateway' }]);
  });
});

describe('conflictRefusal', () => {
  it('names the objects, their run and every way on', () => {
    const conflicts = namespaceConflicts(
      [
        ...Array.from({ length: 10 }, (_, i) => ({ kind: 'Pod', name: `worker-${i}`, runId: 'r1' })),
        { kind: 'StatefulSet', name: 'etcd' },
      ],
      planned,
    );
    const text = conflictRefusal(conflicts ?? { byRun: new Map(), unlabelled: [] }, where);
    expect(text).toContain(
      'refused: namespace "team-chaos" on context "prod-eu-1" already holds a Gauntlet stack',
    );
    expect(text).toContain('run r1: Pod/worker-0, Pod/worker-1');
    expect(text).toContain('Pod/worker-7 and 2 more');
    expect(text).toContain('not made by a Gauntlet run (no gauntlet.dev/run label): StatefulSet/etcd');
    expect(text).toContain('gauntlet down --run r1');
    expect(text).toContain('-l gauntlet.dev/run=ID -n team-chaos');
    expect(text).toContain('add --attach');
    expect(text).toContain('another namespace: --namespace');
  });

  it('offers no gauntlet down when no run owns what is there', () => {
    const conflicts = namespaceConflicts([{ kind: 'Service', name: 'etcd', deleting: true }], planned);
    const text = conflictRefusal(conflicts ?? { byRun: new Map(), unlabelled: [] }, where);
    expect(text).toContain('Service/etcd (being deleted)');
    expect(text).not.toContain('gauntlet down');
  });
});
