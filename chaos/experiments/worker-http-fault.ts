import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

/**
 * xk6-disruptor's HTTP fault on one worker: its agent, injected into the pod as an ephemeral container,
 * proxies the worker's port. Kubernetes platforms only (kind, cluster); refused at plan time elsewhere.
 */
export const workerHttpFault = defineExperiment({
  id: 'worker-http-fault',
  title: "Delay one worker's answers by 200 ms and answer 20 % of its batches with 503 (xk6-disruptor)",
  description:
    "xk6-disruptor's agent, injected into one worker pod as an ephemeral container, takes over the " +
    "worker's port for 20 s: every batch waits 200 ms more, one in five gets a 503 instead of the " +
    "worker's answer. Probes, metrics and /v1/status are left alone. Kubernetes platforms only.",
  expectedOutcome:
    'Predicted, and what the kind test checks for the mechanics: no request fails, because a 503 comes ' +
    'before any token and the batcher re-dispatches it to another worker and ejects the disrupted one for ' +
    "5 s. The delayed worker's requests take 200 ms longer; the agent's proxy also holds a streamed " +
    'answer in 4 KiB pieces (Go io.Copy into a buffered ResponseWriter), so a stream through it gets its ' +
    'first token only with the rest of a short batch: TTFT through that worker grows by more than the ' +
    '200 ms. With one worker of four disrupted and ejected after its first 503, the p99s may cross 300 ms ' +
    'during the fault; recovery follows the rollback (the agent stopped, its iptables rules checked gone).',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'disrupt-worker',
      at: referenceFaultAt,
      action: 'http-fault',
      target: { role: 'worker', count: 1, pick: 'first' },
      durationS: 20,
      params: { delayMs: 200, errorRate: 0.2, errorCode: 503 },
    },
  ],
  abort: safetyAbort,
  expectations: { maxFailedRequests: 0, maxRecoveryS: 10, noLostRequests: true, noDuplicates: true },
});
