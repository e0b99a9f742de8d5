import type { LatencyModelConfig, WorkerConfig } from '../../core/config/cluster-config.js';

/**
 * How long one model step of GLM-4-9B takes on a simulated A100. Pure functions; the constants behind the
 * defaults, the measurements they were fitted to and the fit itself are in README.md (and checked by
 * latency-model.test.ts).
 */

/**
 * Compute floor of a decode step, ms per running sequence: 2 x 9.4 B parameters = 18.8 GFLOP per token at
 * ~200 TFLOP/s effective bf16 (what TensorRT-LLM's prefill figures imply) is 0.094 ms. At large batches of
 * short sequences the step is compute-bound, not bandwidth-bound, and cannot be faster than this.
 */
export const decodeFloorMsPerSeq = 0.094;

/**
 * Decode is bound by memory bandwidth (weights and KV streamed once per step), so the other A100 variants
 * scale by the SXM's 2,039 GB/s over theirs: the 8.6 ms weight-streaming floor becomes 9.1 ms on the
 * PCIe 80 GB card (1,935 GB/s) and 11.3 ms on the 40 GB card (1,555 GB/s).
 */
export const decodeBandwidthFactor: Readonly<Record<WorkerConfig['gpu'], number>> = {
  'a100-80gb-sxm': 1,
  'a100-80gb-pcie': 9.1 / 8.6,
  'a100-40gb': 11.3 / 8.6,
};

function tensorParallelFactor(tp: number, latency: LatencyModelConfig): number {
  return tp > 1 ? latency.tensor_parallel_factor : 1;
}

/**
 * One decode step, ms: every running sequence gets one token.
 * base + perSeq*B + perSeqPerKctx*B*(meanContext/1000), at least 0.094*B, then times the GPU variant's
 * bandwidth factor and (tensor parallel 2) the tensor-parallel factor.
 */
export function decodeStepMs(
  runningSeqs: number,
  meanContextTokens: number,
  latency: LatencyModelConfig,
  tp = 1,
  gpu: WorkerConfig['gpu'] = 'a100-80gb-sxm',
): number {
  const batch = Math.max(0, runningSeqs);
  const context = Math.max(0, meanContextTokens);
  const modelled =
    latency.decode_base_ms +
    latency.decode_per_seq_ms * batch +
    latency.decode_per_seq_per_kctx_ms * batch * (context / 1000);
  const floored = Math.max(modelled, decodeFloorMsPerSeq * batch);
  return floored * decodeBandwidthFactor[gpu] * tensorParallelFactor(tp, latency);
}

/**
 * One prefill pass over `promptTokens` prompt tokens (summed over the sequences in the pass), ms:
 * base + perToken*P + perTokenSq*P^2, times the tensor-parallel factor. Prefill is compute-bound, so the GPU
 * variants (same tensor cores) share one curve.
 */
export function prefillMs(promptTokens: number, latency: LatencyModelConfig, tp = 1): number {
  const tokens = Math.max(0, promptTokens);
  const modelled =
    latency.prefill_base_ms +
    latency.prefill_per_token_ms * tokens +
    latency.prefill_per_token_sq_ms * tokens ** 2;
  return modelled * tensorParallelFactor(tp, latency);
}
