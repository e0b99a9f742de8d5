import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const etcdQuorumLoss = defineExperiment({
  id: 'etcd-quorum-loss',
  title: 'Lose etcd quorum (kill 2 of 3 members)',
  description:
    'SIGKILL a majority of the etcd members (the leader first) right after the steady-state window, so the cluster has no ' +
    'quorum for 15 s; then restart them together.',
  expectedOutcome:
    'The registry is unreachable: no writes, no lease renewals, no watch events. Routing is ' +
    'statically stable: every service keeps its last view and keeps serving, and leases cannot expire ' +
    'without a leader. No request fails and latency does not move (recovery: held). When quorum ' +
    'returns, leases are renewed (or services re-register); the audit checks every ' +
    'member runs. Detection is not applicable: routing is not supposed to change.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'lose-quorum',
      at: referenceFaultAt,
      action: 'etcd-quorum-loss',
      durationS: 15,
      params: { signal: 'SIGKILL' },
    },
  ],
  abort: safetyAbort,
  expectations: { maxFailedRequests: 0, maxRecoveryS: 5, noLostRequests: true, noDuplicates: true },
});
