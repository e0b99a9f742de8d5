import { defineExperiment } from '../experiment/define-experiment.js';
import { referenceLoad, referenceSteadyState, safetyAbort } from './reference-steady-state.js';

export const gpuOom = defineExperiment({
  id: 'gpu-oom',
  title: 'CUDA out of memory on one GPU',
  description:
    'Through the worker admin endpoint, put one worker in OOM for 15 s: every running sequence fails with ' +
    'gpu_oom, and so does every new batch.',
  expectedOutcome:
    'No request fails: every sequence the worker fails with gpu_oom (a retryable error) is ' +
    're-dispatched or resumed on another worker, and that request then avoids the OOM worker. But the ' +
    'worker is never ejected: it answers every batch with HTTP 200 and fails the sequences inside, ' +
    'which the batcher does not count as a worker failure, so detection reads not_detected (measured) ' +
    'and each new request that lands there pays one wasted attempt. p99 stays inside the SLO ' +
    '(recovery 0 s). No maxDetectS is set: adding one turns this gap into a failing check.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'oom-gpu',
      at: 20,
      action: 'gpu-oom',
      target: { count: 1, pick: 'first' },
      durationS: 15,
    },
  ],
  abort: safetyAbort,
  expectations: { maxFailedRequests: 0, maxRecoveryS: 10, noLostRequests: true, noDuplicates: true },
});
