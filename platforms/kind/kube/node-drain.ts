import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { DrainOutcome } from '../../../core/platform/node-faults.js';
import type { ClusterWatch } from './cluster-watch.js';

/**
 * A drain as `kubectl drain` does it, through the API: cordon, then the eviction API for each of the
 * run's pods on the node, which PodDisruptionBudgets may refuse. One pass, as kubectl makes before it
 * retries: each eviction is allowed or refused by the budgets as they stand after the previous one.
 */
export async function drainNode(watch: ClusterWatch, kubeNode: string): Promise<DrainOutcome> {
  await setCordon(watch, kubeNode, true);
  const outcome: DrainOutcome = { evicted: [], blocked: [] };
  for (const pod of watch
    .pods()
    .filter((p) => p.spec?.nodeName === kubeNode && !p.metadata?.deletionTimestamp)) {
    const podName = pod.metadata?.name ?? '';
    try {
      await watch.api.createNamespacedPodEviction({
        name: podName,
        namespace: watch.namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: podName, namespace: watch.namespace },
        },
      });
      outcome.evicted.push(podName);
    } catch (error) {
      const failure = error as { code?: number; body?: string; message?: string };
      // 429: a PodDisruptionBudget does not allow this disruption now
      if (failure.code !== 429) throw error;
      outcome.blocked.push({ pod: podName, reason: budgetReason(failure.body ?? failure.message ?? '') });
    }
  }
  return outcome;
}

/** Cordon (`unschedulable: true`) or uncordon a node. */
export async function setCordon(
  watch: ClusterWatch,
  kubeNode: string,
  unschedulable: boolean,
): Promise<void> {
  await watch.api.patchNode(
    { name: kubeNode, body: { spec: { unschedulable } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** The API server's message for a refused eviction ("Cannot evict pod as it would violate ..."). */
function budgetReason(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) return parsed.message;
  } catch {
    // not JSON: the raw text is the reason
  }
  return body.slice(0, 300);
}
