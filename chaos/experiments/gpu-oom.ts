import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const gpuOom = defineExperiment({
  id: 'gpu-oom',
  title: 'CUDA out of memory on one GPU',
  description:
    'Through the worker admin endpoint, put one worker in OOM for 15 s: every running sequence fails with ' +
    'gpu_oom, and so does every new batch.',
  expectedOutcome:
    'No request fails: every sequence the worker fails with gpu_oom (a retryable error) is ' +
    're-dispatched or resumed on another worker. The batcher counts a GPU error as a worker failure and ' +
    'ejects the worker at once (worker_eject_ms, 5 s, then it is tried again while the OOM lasts), so ' +
    'detection comes with its first failed sequence. p99 stays inside the SLO (recovery: held). Before ' +
    'the batcher counted GPU errors, this experiment never saw a detection: the worker answers HTTP 200 ' +
    'and fails the sequences inside, which looked healthy to routing.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'oom-gpu',
      at: referenceFaultAt,
      action: 'gpu-oom',
      target: { count: 1, pick: 'first' },
      durationS: 15,
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
