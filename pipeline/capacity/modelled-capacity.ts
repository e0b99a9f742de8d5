import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { decodeStepMs, prefillMs } from '../../stack/worker/latency-model.js';

/**
 * Requests per second the stack can serve by its latency model, the lower of two limits per worker:
 * - slots: each worker holds max_batch_size sequences per batcher, each for one request's whole life;
 * - compute: each request costs its prompt's prefill work plus its share of the decode steps it rides in
 *   (mixed batching puts prefill tokens into decode steps, so they take GPU time from everyone).
 */
export function modelledCapacityPerS(config: ClusterConfig, promptTokens: number, maxTokens: number): number {
  const { latency, tensor_parallel: tp, gpu } = config.worker;
  const slots = Math.min(
    config.batchers.max_batch_size * config.batchers.replicas,
    config.worker.max_running_seqs,
  );
  const context = promptTokens + maxTokens / 2;
  const step = decodeStepMs(slots, context, latency, tp, gpu);
  const requestLifeMs = prefillMs(promptTokens, latency, tp) + (maxTokens - 1) * step;
  const slotBound = (slots * 1000) / requestLifeMs;
  const gpuMsPerRequest =
    prefillMs(promptTokens, latency, tp) - prefillMs(0, latency, tp) + ((maxTokens - 1) * step) / slots;
  const computeBound = 1000 / gpuMsPerRequest;
  return config.worker_replicas * Math.min(slotBound, computeBound);
}
