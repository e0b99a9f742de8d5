import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const workerKill = defineExperiment({
  id: 'worker-kill',
  title: 'Kill one GPU worker (SIGKILL)',
  description:
    'SIGKILL one of the four workers right after the steady-state window (a crashed vLLM process), restart it 20 s later.',
  expectedOutcome:
    "No request fails. The batcher re-dispatches the killed worker's sequences: those without a token " +
    'yet start again elsewhere, and streams already under way continue on another worker from the ' +
    'last delivered token (redispatch.resume_streams), so clients see a slightly slower answer, not ' +
    'an error. The batcher ejects the worker on its first refused or reset connection, well before ' +
    'its etcd lease expires (3 s). p99 e2e stays inside the SLO ' +
    '(recovery: held). After the restart the worker re-registers and takes traffic again, and no answer ' +
    'waits more than 3 s from the kill to the end of the load; no request sent after the restart fails.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'kill-worker',
      at: referenceFaultAt,
      action: 'kill',
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
    // After the restart no client waits seconds for an answer (a worker that accepts and never answers
    // holds its sequences until the batcher's 10 s first-token timeout: a handful no p99 can show).
    maxStalledRequests: 0,
    // The restarted worker back in rotation costs nothing either (the error-rate SLO cannot see 1 %).
    maxFailedAfterRollback: 0,
  },
});
