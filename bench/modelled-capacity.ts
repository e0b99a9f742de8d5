import type { ClusterConfig } from '../stack/config/cluster-config.js';
import { decodeStepMs, prefillMs } from '../stack/worker/latency-model.js';

/**
 * Requests per second one stack can serve by its latency model when each worker holds
 * max_batch_size sequences per batcher: slots / time a request occupies a slot.
 */
export function modelledCapacityPerS(config: ClusterConfig, promptTokens: number, maxTokens: number): number {
  const slotsPerWorker = Math.min(
    config.batchers.max_batch_size * config.batchers.replicas,
    config.worker.max_running_seqs,
  );
  const context = promptTokens + maxTokens / 2;
  const step = decodeStepMs(
    slotsPerWorker,
    context,
    config.worker.latency,
    config.worker.tensor_parallel,
    config.worker.gpu,
  );
  const perRequestMs =
    prefillMs(promptTokens, config.worker.latency, config.worker.tensor_parallel) + (maxTokens - 1) * step;
  return (config.worker_replicas * slotsPerWorker * 1000) / perRequestMs;
}
