import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../core/config/load-cluster-config.js';
import { batcherKill } from '../experiments/batcher-kill.js';
import { etcdLeaderKill } from '../experiments/etcd-leader-kill.js';
import { etcdQuorumLoss } from '../experiments/etcd-quorum-loss.js';
import { workerKill } from '../experiments/worker-kill.js';
import { workerNodeFreeze } from '../experiments/worker-node-freeze.js';
import { workerNodeKill } from '../experiments/worker-node-kill.js';
import { plannedTopology } from '../testing/planned-topology.js';
import { type BlastBudget, budgetIssues } from './blast-budget.js';
import type { Experiment } from './experiment-schema.js';

// The reference stack: 3 etcd, 1 gateway and 2 batchers on node control, 4 workers on node-a and node-b.
const reference = plannedTopology(parseClusterConfig(''));
const budget: BlastBudget = {
  maxRoleShare: 0.5,
  maxNodeShare: 0.5,
  allowNodeLoss: false,
  source: 'allowlist a.yaml (context prod)',
};
const messages = (experiment: Experiment, b = budget) =>
  budgetIssues(experiment, reference, b).map((issue) => issue.message);

describe('budgetIssues (the production interlock on a plan)', () => {
  it('lets one worker of four, one batcher of two and the etcd leader through', () => {
    expect(messages(workerKill)).toEqual([]);
    expect(messages(batcherKill)).toEqual([]);
    expect(messages(etcdLeaderKill)).toEqual([]);
  });

  it('refuses losing an etcd majority: 2 of 3 members is over half of the role', () => {
    expect(messages(etcdQuorumLoss)).toEqual([
      'etcd-quorum-loss could act on 2 of 3 etcd replicas (67 %), over the 50 % of a role allowlist a.yaml (context prod) allows',
    ]);
  });

  it('refuses node loss unless the budget allows it, and says drain is allowed', () => {
    expect(messages(workerNodeKill)).toEqual([
      'node-kill loses a node, which allowlist a.yaml (context prod) does not allow (allowNodeLoss: false); node-drain (cordon and evict, honouring PDBs) is allowed',
    ]);
    expect(messages(workerNodeFreeze)[0]).toContain('node-freeze loses a node');
    expect(messages(workerNodeKill, { ...budget, allowNodeLoss: true })).toEqual([]);
  });

  it('judges a node fault by the share of nodes and of each role it could take', () => {
    const drainBoth: Experiment = {
      ...workerNodeKill,
      allowAllReplicas: true,
      faults: workerNodeKill.faults.map((f) => ({
        ...f,
        action: 'node-drain',
        params: {},
        target: { ...f.target, count: 2 },
      })) as Experiment['faults'],
    };
    const refused = messages(drainBoth, { ...budget, maxNodeShare: 0.5 });
    expect(refused).toContain(
      'node-drain could act on 2 of 3 nodes (67 %), over the 50 % of nodes allowlist a.yaml (context prod) allows',
    );
    expect(refused.some((m) => m.startsWith('node-drain could act on 4 of 4 worker replicas'))).toBe(true);
  });

  it('judges pick: random by the worst draw', () => {
    const random: Experiment = {
      ...workerKill,
      faults: workerKill.faults.map((f) => ({
        ...f,
        target: { role: 'worker', count: 3, pick: 'random' },
      })) as Experiment['faults'],
    };
    expect(messages(random)).toEqual([
      'kill could act on 3 of 4 worker replicas (75 %), over the 50 % of a role allowlist a.yaml (context prod) allows',
    ]);
  });
});
