import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

export const batcherKill = defineExperiment({
  id: 'batcher-kill',
  title: 'Kill one of the two batchers (SIGKILL)',
  description: 'SIGKILL batcher-0 right after the steady-state window; restart it 20 s later.',
  expectedOutcome:
    'No request fails. Streams the gateway was relaying from batcher-0 continue on batcher-1 from the ' +
    'last token the client has (stream migration at the gateway, SubmitRequest.resumeFrom); requests ' +
    'whose answer had not started are re-sent to batcher-1 (the same request id, so the workers may run ' +
    'it twice, unseen by the client). New requests that hit the dead batcher get a refused connection ' +
    'and are retried on batcher-1; after 3 failures the gateway ejects it. Its etcd lease expires within ' +
    '3 s: the detection signal seen here. p99 inside the SLO (recovery: held). Before the gateway ' +
    'migrated streams, this experiment cut streams at the reference rate.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'kill-batcher',
      at: referenceFaultAt,
      action: 'kill',
      target: { role: 'batcher', count: 1, pick: 'first' },
      durationS: 20,
      params: { signal: 'SIGKILL' },
    },
  ],
  abort: safetyAbort,
  expectations: {
    maxFailedRequests: 0,
    maxDetectS: 4.5,
    maxRecoveryS: 10,
    noLostRequests: true,
    noDuplicates: true,
  },
});
