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
    'Every chunk a worker sends arrives 100 ms later; chunks still flow back to back, so TTFT and e2e ' +
    'grow by about 100 ms and throughput is unchanged (platforms/local/network/link-proxies.test.ts ' +
    'checks that the latency toxic adds its 100 ms). Nothing is ejected and no request fails. A p99 ' +
    'e2e within 100 ms of the SLO leaves it: the 300 ms SLO is left while the delay is in ' +
    'force, and no routing can avoid a delay on every worker, so the SLOs are back only after the ' +
    'rollback. Detection is not applicable.',
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
  // Recovery counts from the injection: the 20 s of delay, then back inside the SLOs within 5 s of the rollback.
  expectations: { maxFailedRequests: 0, maxRecoveryS: 25, noLostRequests: true, noDuplicates: true },
  allowAllReplicas: true,
});
