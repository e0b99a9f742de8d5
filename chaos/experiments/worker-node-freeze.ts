import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const workerNodeFreeze = defineExperiment({
  id: 'worker-node-freeze',
  title: 'Freeze a worker node (SIGSTOP every worker on it)',
  description:
    'SIGSTOP every component on node-a (2 of 4 workers) for 20 s, then SIGCONT. The processes keep their ' +
    'sockets open but answer nothing: a hung machine, the failure that connection errors do not reveal.',
  expectedOutcome:
    'No connection is refused, so nothing is ejected at once. The frozen workers stop renewing their ' +
    'etcd leases and leave the registry when the 3 s TTL runs out, and batchers stop routing to them ' +
    "(within the 3 s TTL of the freeze). Sequences that were on them go silent; after the batcher's " +
    'stall timeout (first_token_timeout_ms, 10 s, which also bounds silence mid-stream) they are ' +
    'resumed on node-b. So no request fails, but those in flight at the freeze take up to 10 s longer: ' +
    'p99 e2e breaks the SLO for requests sent before the leases ran out (recovery is by send time). ' +
    'After the thaw the workers re-register.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'freeze-node',
      at: referenceFaultAt,
      action: 'node-freeze',
      target: { role: 'worker', count: 1, pick: 'first' },
      durationS: 20,
    },
  ],
  abort: safetyAbort,
  expectations: {
    maxFailedRequests: 0,
    maxDetectS: 5,
    maxRecoveryS: 10,
    noLostRequests: true,
    noDuplicates: true,
  },
});
