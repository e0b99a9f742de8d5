import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const gpuSlowdown = defineExperiment({
  id: 'gpu-slowdown',
  title: 'Slow one GPU down tenfold',
  description:
    'Through the worker admin endpoint, multiply every model step of one worker by 10 for 20 s (a ' +
    'throttled or degraded GPU that still answers).',
  expectedOutcome:
    'Nothing fails and nothing is ejected: the batcher has no latency-based outlier detection. Its ' +
    'least-loaded routing (most free slots) does send the slow worker fewer requests as its in-flight ' +
    'count grows, so only some requests are slow, but those take ~2.5 s: p99 e2e breaks the 2 s SLO ' +
    'for the first seconds of the fault (measured in a 10 s variant: p99 2.3 s during the fault, ' +
    'recovery after ~6 s). Detection is not applicable. A maxRecoveryS failure here means slow ' +
    'workers are not routed around.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'slow-gpu',
      at: referenceFaultAt,
      action: 'gpu-slowdown',
      target: { count: 1, pick: 'first' },
      durationS: 20,
      params: { factor: 10 },
    },
  ],
  abort: safetyAbort,
  expectations: { maxFailedRequests: 0, maxRecoveryS: 25, noLostRequests: true, noDuplicates: true },
});
