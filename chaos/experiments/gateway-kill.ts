import type { ClusterConfigInput } from '../../core/config/cluster-config.js';
import { defineExperiment } from '../experiment/define-experiment.js';
import {
  referenceFaultAt,
  referenceLoad,
  referenceRate,
  referenceSteadyState,
  safetyAbort,
} from './reference-steady-state.js';

/**
 * The stack gateway-kill needs: the reference stack with two gateways behind the seed's nginx
 * (`gateway-kill.cluster.yaml` is the same as a file, for `gauntlet chaos gateway-kill --config`).
 */
export const gatewayKillCluster = {
  gateway: { replicas: 2 },
  load_balancer: { enabled: true },
} satisfies ClusterConfigInput;

export const gatewayKill = defineExperiment({
  id: 'gateway-kill',
  title: 'Kill one of two gateways behind nginx (SIGKILL)',
  description:
    'SIGKILL gateway-0 of two behind nginx after the steady-state window (its load balancer keeps sending it ' +
    'requests until its passive health checks take it out), restart it 20 s later. Needs ' +
    'gateway.replicas >= 2 and load_balancer.enabled (chaos/experiments/gateway-kill.cluster.yaml).',
  expectedOutcome:
    'Requests in flight on the killed gateway fail whatever nginx does: a POST already sent is not ' +
    'retried (load_balancer.retry_sent_requests: false) and a stream already under way cannot be. ' +
    'With proxy_next_upstream on (the default), a new request that meets the dead gateway gets a refused ' +
    'connection and nginx retries it on the other gateway, unseen by the client; after max_fails such ' +
    'attempts nginx skips the gateway for fail_timeout_s, then tries one request on it again. With ' +
    'proxy_next_upstream off, each of those attempts is a 502 to the client: max_fails requests at once, ' +
    'and one more every fail_timeout_s while the gateway stays dead. Nothing routes around a gateway but ' +
    'nginx, so detection is not applicable here; the access log (logs/load-balancer-0.log in the run folder) ' +
    'shows every attempt on the dead gateway. The bound on failed requests assumes the requests in flight ' +
    'on one of two gateways at the reference rate with sub-300 ms answers; on a busy host more are in ' +
    'flight when the gateway dies.',
  steadyState: referenceSteadyState,
  load: referenceLoad,
  faults: [
    {
      id: 'kill-gateway',
      at: referenceFaultAt,
      action: 'kill',
      target: { role: 'gateway', count: 1, pick: 'first' },
      durationS: 20,
      params: { signal: 'SIGKILL' },
    },
  ],
  abort: safetyAbort,
  expectations: {
    // In flight on one of two gateways at the reference rate (answers under 0.3 s), plus nginx's own attempts.
    maxFailedRequests: Math.ceil(referenceRate * 0.3) + 2,
    maxRecoveryS: 10,
    noDuplicates: true,
  },
});
