import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const workerNodeKill = defineExperiment({
  id: 'worker-node-kill',
  title: 'Lose a whole worker node (every worker on it, SIGKILL)',
  description:
    'SIGKILL every component on the node of the first worker (node-a: 2 of the 4 workers) right after the steady-state ' +
    'window, restart them 20 s later. A machine lost, not a process.',
  expectedOutcome:
    'Half the capacity disappears at once, yet no request fails: sequences on node-a are ' +
    're-dispatched or resumed on node-b, which has ample headroom at the reference rate. Both workers are ' +
    'ejected on their first refused connection and leave etcd when ' +
    'their leases expire (3 s). p99 e2e stays inside the SLO (recovery: held).',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'kill-node',
      at: referenceFaultAt,
      action: 'node-kill',
      target: { role: 'worker', count: 1, pick: 'first' },
      durationS: 20,
      params: { signal: 'SIGKILL' },
    },
  ],
  abort: safetyAbort,
  expectations: {
    maxFailedRequests: 0,
    maxDetectS: 2,
    maxRecoveryS: 10,
    noLostRequests: true,
    noDuplicates: true,
  },
});
