/**
 * inject-http-faults: not a load scenario. xk6-disruptor's HTTP fault, injected from k6 into each target pod
 * (one VU per pod, since injectHTTPFaults holds its VU for the whole duration), while Gauntlet's own load
 * runs beside it. Gauntlet's `http-fault` action runs this file (chaos/faults/pod-http/disruptor-run.ts)
 * with KUBECONFIG set and: NAMESPACE, PODS (comma-separated StatefulSet pod names), PORT, DELAY_MS,
 * VARIATION_MS, ERROR_RATE, ERROR_CODE, EXCLUDE (comma-separated paths), DURATION_S, PROXY_PORT.
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { PodDisruptor } from 'k6/x/disruptor';

const pods = (__ENV.PODS ?? '').split(',').filter((pod) => pod !== '');
const durationS = Number(__ENV.DURATION_S ?? '0');

export const options: Options = {
  scenarios: {
    inject: {
      executor: 'per-vu-iterations',
      vus: Math.max(1, pods.length),
      iterations: 1,
      // The agent's own deadline ends the fault; k6 waits for it plus the injection's own time.
      maxDuration: `${durationS + 120}s`,
    },
  },
};

export default function (): void {
  const pod = pods[exec.vu.idInTest - 1];
  if (pod === undefined || !(durationS > 0)) exec.test.abort('PODS and DURATION_S must be set');
  try {
    const disruptor = new PodDisruptor(
      {
        namespace: __ENV.NAMESPACE,
        select: { labels: { 'statefulset.kubernetes.io/pod-name': String(pod) } },
      },
      { injectTimeout: '60s' },
    );
    const targets = disruptor.targets();
    if (targets.length !== 1 || targets[0] !== pod) {
      exec.test.abort(
        `pod ${pod} not found in namespace ${__ENV.NAMESPACE} (matched: ${targets.join(', ')})`,
      );
    }
    disruptor.injectHTTPFaults(
      {
        port: Number(__ENV.PORT),
        averageDelay: `${Number(__ENV.DELAY_MS ?? '0')}ms`,
        delayVariation: `${Number(__ENV.VARIATION_MS ?? '0')}ms`,
        errorRate: Number(__ENV.ERROR_RATE ?? '0'),
        errorCode: Number(__ENV.ERROR_CODE ?? '503'),
        exclude: __ENV.EXCLUDE ?? '',
      },
      `${durationS}s`,
      // Not the agent's default 8000: vLLM's port, in the pod beside the worker on the a100-vllm overlay.
      { proxyPort: Number(__ENV.PROXY_PORT ?? '18000') },
    );
  } catch (error) {
    // An exception would only fail this iteration (exit 0); the action needs to know.
    exec.test.abort(`injecting into ${pod}: ${String(error)}`);
  }
}
