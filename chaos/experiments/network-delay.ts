import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const networkDelay = defineExperiment({
  id: 'network-delay',
  title: 'Add 100 ms to every batcher -> worker link',
  description:
    'A toxiproxy latency toxic of +100 ms on the answers of every worker (the batcher -> worker links) for ' +
    '20 s. Needs a stack started with network proxies. It hits every worker on purpose (a slow network ' +
    'segment, not one bad host), hence allowAllReplicas.',
  expectedOutcome:
    'Predicted (needs network proxies; not yet run on the reference stack). Every chunk a worker ' +
    'sends arrives 100 ms later; chunks still flow back to back, so TTFT and e2e grow by about 100 ms ' +
    "(0.25 s -> 0.35 s) and throughput is unchanged (the proxy's latency toxic was measured adding " +
    '100 ms, see platforms/local/network/link-proxies.test.ts). Nothing is ejected and no ' +
    'request fails. p99 e2e stays inside the 2 s SLO, so recovery is 0 s; detection is not ' +
    'applicable.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'delay-workers',
      at: referenceFaultAt,
      action: 'network-latency',
      target: { count: 'all' },
      durationS: 20,
      params: { link: 'batcher->worker', latencyMs: 100, jitterMs: 0, direction: 'downstream' },
    },
  ],
  abort: safetyAbort,
  expectations: { maxFailedRequests: 0, maxRecoveryS: 5, noLostRequests: true, noDuplicates: true },
  allowAllReplicas: true,
});
