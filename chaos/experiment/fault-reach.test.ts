import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../core/config/load-cluster-config.js';
import { etcdLeaderKill } from '../experiments/etcd-leader-kill.js';
import { workerKill } from '../experiments/worker-kill.js';
import { workerNodeKill } from '../experiments/worker-node-kill.js';
import { plannedTopology } from '../testing/planned-topology.js';
import type { Experiment } from './experiment-schema.js';
import { faultReach } from './fault-reach.js';

const reference = plannedTopology(parseClusterConfig(''));
const ids = (reach: ReturnType<typeof faultReach>) => reach.components.map((c) => c.id);
const picking = (experiment: Experiment, pick: 'random' | 'first'): Experiment => ({
  ...experiment,
  faults: experiment.faults.map((f) => ({ ...f, target: { ...f.target, pick } })),
});

describe('faultReach', () => {
  it('names what a pick: first chooses, known before the run', () => {
    expect(ids(faultReach(workerKill, reference))).toEqual(['node-a-gpu0']);
    const node = faultReach(workerNodeKill, reference);
    expect(node.nodes).toEqual(['node-a']);
    expect(ids(node)).toEqual(['node-a-gpu0', 'node-a-gpu1']);
  });

  it('names every candidate where the choice is made at injection time', () => {
    expect(ids(faultReach(picking(workerKill, 'random'), reference))).toEqual([
      'node-a-gpu0',
      'node-a-gpu1',
      'node-b-gpu0',
      'node-b-gpu1',
    ]);
    expect(ids(faultReach(etcdLeaderKill, reference))).toEqual(['etcd-0', 'etcd-1', 'etcd-2']);
    expect(faultReach(etcdLeaderKill, reference).nodes).toEqual([]);
    expect(faultReach(picking(workerNodeKill, 'random'), reference).nodes).toEqual(['node-a', 'node-b']);
  });
});
