import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const workerPartition = defineExperiment({
  id: 'worker-partition',
  title: 'Partition one worker from the batchers (blackhole)',
  description:
    'Drop every byte between the batchers and one worker for 20 s (toxiproxy timeout toxic, timeout 0, both ' +
    'ways); connections open but nothing arrives. The worker still reaches etcd, so its lease stays. Needs ' +
    'a stack started with network proxies.',
  expectedOutcome:
    'A partition looks healthy ' +
    'to etcd: the worker stays registered. Batches sent to it get no first token and streams on it go ' +
    "silent; after the batcher's stall timeout (10 s) they are re-dispatched or resumed elsewhere and " +
    'the worker is ejected for 5 s, then tried again. So detection takes up to 10 s, requests caught by it ' +
    'see e2e > 10 s (the SLO is broken while the partition lasts), and no request should fail. ' +
    'Recovery shortly after the partition ends (within 30 s of injection).',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'partition-worker',
      at: referenceFaultAt,
      action: 'network-partition',
      target: { count: 1, pick: 'first' },
      durationS: 20,
      params: { link: 'batcher->worker', mode: 'blackhole' },
    },
  ],
  abort: safetyAbort,
  expectations: { maxFailedRequests: 5, maxDetectS: 12, maxRecoveryS: 30, noDuplicates: true },
});
