import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const etcdLeaderKill = defineExperiment({
  id: 'etcd-leader-kill',
  title: 'Kill the etcd leader (SIGKILL)',
  description:
    "Find the raft leader through each member's /v3/maintenance/status and SIGKILL it right after the steady-state " +
    'window; restart it 20 s later (it rejoins from its data directory).',
  expectedOutcome:
    'The two survivors elect a new leader after the election timeout (500 ms) and a vote. etcd is not ' +
    'on the request path: batchers and the gateway ' +
    'route from their local registry copies, and lease keep-alives move to a surviving member. No ' +
    'request fails and latency does not move (recovery: held).',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'kill-leader',
      at: referenceFaultAt,
      action: 'etcd-kill-leader',
      durationS: 20,
      params: { signal: 'SIGKILL' },
    },
  ],
  abort: safetyAbort,
  expectations: {
    maxFailedRequests: 0,
    maxDetectS: 3,
    maxRecoveryS: 5,
    noLostRequests: true,
    noDuplicates: true,
  },
});
