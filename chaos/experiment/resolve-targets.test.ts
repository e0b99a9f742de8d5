import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../core/config/load-cluster-config.js';
import { mulberry32 } from '../../core/random/prng.js';
import { plannedTopology } from '../testing/planned-topology.js';
import { type FaultSpec, faultSchema } from './experiment-schema.js';
import { selectTargets } from './resolve-targets.js';

const topology = plannedTopology(
  parseClusterConfig('nodes: [{ name: a, gpus: 2 }, { name: b, gpus: 2 }, { name: c, gpus: 1 }]'),
);
const fault = (input: object): FaultSpec => faultSchema.parse({ id: 'f', at: 10, ...input });
const ids = (choice: { components: Array<{ id: string }> }) => choice.components.map((c) => c.id);

describe('selectTargets', () => {
  it('names components as the platforms do', () => {
    expect(topology.map((c) => `${c.role}:${c.id}@${c.node}`)).toEqual([
      'etcd:etcd-0@control',
      'etcd:etcd-1@control',
      'etcd:etcd-2@control',
      'worker:a-gpu0@a',
      'worker:a-gpu1@a',
      'worker:b-gpu0@b',
      'worker:b-gpu1@b',
      'worker:c-gpu0@c',
      'batcher:batcher-0@control',
      'batcher:batcher-1@control',
      'gateway:gateway-0@control',
    ]);
  });

  it('takes the first count matches, or a seeded random draw that repeats with the seed', () => {
    expect(
      ids(selectTargets(fault({ action: 'kill', target: { role: 'worker', count: 2 } }), topology)),
    ).toEqual(['a-gpu0', 'a-gpu1']);
    const random = fault({ action: 'kill', target: { role: 'worker', count: 2, pick: 'random' } });
    const first = ids(selectTargets(random, topology, { random: mulberry32(7) }));
    expect(first).toHaveLength(2);
    expect(ids(selectTargets(random, topology, { random: mulberry32(7) }))).toEqual(first);
  });

  it('implies the role from GPU and link actions', () => {
    expect(ids(selectTargets(fault({ action: 'gpu-hang', target: { node: 'b' } }), topology))).toEqual([
      'b-gpu0',
    ]);
    const link = fault({
      action: 'network-partition',
      target: { count: 'all' },
      params: { link: 'gateway->batcher' },
    });
    expect(ids(selectTargets(link, topology))).toEqual(['batcher-0', 'batcher-1']);
  });

  it('node actions pick nodes and take everything on them', () => {
    const choice = selectTargets(
      fault({ action: 'node-kill', target: { role: 'worker', id: 'b-gpu1' } }),
      topology,
    );
    expect(choice.nodes).toEqual(['b']);
    expect(ids(choice)).toEqual(['b-gpu0', 'b-gpu1']);
  });

  it('etcd: the leader, or a majority with the leader first', () => {
    expect(
      ids(selectTargets(fault({ action: 'etcd-kill-leader' }), topology, { leaderId: 'etcd-1' })),
    ).toEqual(['etcd-1']);
    expect(
      ids(selectTargets(fault({ action: 'etcd-quorum-loss' }), topology, { leaderId: 'etcd-2' })),
    ).toEqual(['etcd-2', 'etcd-0']);
    expect(() => selectTargets(fault({ action: 'etcd-kill-leader' }), topology)).toThrow(
      'no etcd leader among etcd-0, etcd-1, etcd-2',
    );
  });
});
