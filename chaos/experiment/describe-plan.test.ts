import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../core/config/load-cluster-config.js';
import { etcdQuorumLoss } from '../experiments/etcd-quorum-loss.js';
import { workerNodeKill } from '../experiments/worker-node-kill.js';
import { plannedTopology } from '../testing/planned-topology.js';
import { describePlan } from './describe-plan.js';

const reference = plannedTopology(parseClusterConfig(''));

describe('describePlan (--dry-run)', () => {
  it('prints the schedule, targets, rollbacks, expectations and blast radius', () => {
    const plan = describePlan(workerNodeKill, reference);
    expect(plan).toContain('Experiment worker-node-kill: Lose a whole worker node');
    expect(plan).toContain(
      'Steady state (checked over t+10-35 s, the 25 s before any fault, after 10 s of warm-up): e2e p99 < 300 ms (infer); ttft p99 < 300 ms (chat_stream); error rate < 1 %',
    );
    expect(plan).toContain('Load: scenario load, 50 req/s for 105 s (mix infer 0.5, chat_stream 0.5)');
    expect(plan).toContain('  t+35 s  kill-node: node-kill (SIGKILL)');
    expect(plan).toContain('      targets: node node-a: node-a-gpu0 (worker), node-a-gpu1 (worker)');
    expect(plan).toContain('      rolled back at t+55 s (after 20 s): restart what is down');
    expect(plan).toContain(
      'failed <= 0, detected within 2 s, recovered within 10 s, no lost request, no duplicate',
    );
    expect(plan).toContain(
      'Abort (checked every second; stops the load and rolls back): error rate > 50 % over 5 s',
    );
    expect(plan).toContain('Blast radius: 2 of 4 workers');
    expect(plan.trimEnd().endsWith('Dry run: nothing was touched.')).toBe(true);
  });

  it('shows the etcd leader as chosen at injection time', () => {
    expect(describePlan(etcdQuorumLoss, reference)).toContain(
      'targets: 2 of 3 etcd members, the leader first (etcd-0, etcd-1, etcd-2)',
    );
  });

  it('marks a plan the topology rejects', () => {
    const single = plannedTopology(parseClusterConfig('nodes: [{ name: solo, gpus: 2 }]'));
    const plan = describePlan(workerNodeKill, single);
    expect(plan).toContain('REJECTED faults[0].target: node-kill would hit every worker (2 of 2');
    expect(plan).toContain('the plan is invalid for this topology; nothing was touched');
  });
});
