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
    'count grows, so only some requests are slow, but those take about ten times as long: p99 e2e ' +
    'leaves the 300 ms SLO while the fault lasts and is back after the rollback. Detection is not ' +
    'applicable. A maxRecoveryS failure here means slow workers are not routed around.',
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
