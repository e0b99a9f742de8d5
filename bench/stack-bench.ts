import type { ClusterConfig } from '../core/config/cluster-config.js';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import type { StackHandle } from '../core/platform/platform.js';
import { modelledCapacityPerS } from '../pipeline/capacity/modelled-capacity.js';
import { searchMaxRate } from '../pipeline/capacity/rate-search.js';
import { LocalPlatform } from '../platforms/local/local-platform.js';
import { type OpenLoopResult, runOpenLoop } from '../runner/load/open-loop-client.js';

const defaultTopology = '';
const singleWorker = 'etcd:\n  members: 1\nbatchers:\n  replicas: 1\nnodes:\n  - name: node-a\n    gpus: 1\n';
const prompt =
  'Explain, briefly, how dynamic batching trades latency for throughput on a GPU worker. '.repeat(3);
// The /infer workload of the gate (8 output tokens): an unloaded request takes ~125 ms, leaving headroom under 300 ms.
const maxTokens = 8;

async function up(yaml: string, patch: (c: ClusterConfig) => void = () => {}): Promise<StackHandle> {
  const config = parseClusterConfig(yaml, 'bench');
  patch(config);
  return new LocalPlatform().up(config, { readyTimeoutMs: 30_000 });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Bring-up and teardown of the default topology (3 etcd, 2 nodes x 2 GPUs, 2 batchers, 1 gateway). */
export async function benchBringup(
  rounds = 3,
): Promise<{ upS: number; downS: number; ups: number[]; downs: number[] }> {
  const ups: number[] = [];
  const downs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const stack = await up(defaultTopology);
    const t1 = performance.now();
    await stack.down();
    const t2 = performance.now();
    ups.push((t1 - t0) / 1000);
    downs.push((t2 - t1) / 1000);
  }
  return { upS: median(ups), downS: median(downs), ups, downs };
}

function inferThroughGateway(
  stack: StackHandle,
  ratePerS: number,
  durationS: number,
): Promise<OpenLoopResult> {
  return runOpenLoop({
    url: `${stack.gatewayUrl}/infer`,
    headers: { authorization: `Bearer ${stack.apiKey}` },
    body: (i) => JSON.stringify({ prompt: `${i} ${prompt}`, max_tokens: maxTokens }),
    ratePerS,
    durationS,
  });
}

function inferStraightToWorker(
  stack: StackHandle,
  ratePerS: number,
  durationS: number,
): Promise<OpenLoopResult> {
  const worker = stack.components({ role: 'worker' })[0];
  const promptTokens = Math.ceil(prompt.length / 4) + 1;
  return runOpenLoop({
    url: `${worker?.url}/v1/batch`,
    body: (i) =>
      JSON.stringify({ batchId: `direct-${i}`, items: [{ id: `d-${i}`, promptTokens, maxTokens, seed: i }] }),
    ratePerS,
    durationS,
  });
}

/**
 * p99 through gateway and batcher minus p99 straight to the same single worker, same open-model load at
 * about half the modelled capacity, interleaved (direct, stack, three times) so drift hits both alike;
 * the figure is the difference of the medians of the three p99s.
 */
export async function benchOverhead(durationS = 15): Promise<{
  overheadP99Ms: number;
  rate: number;
  direct: OpenLoopResult[];
  stack: OpenLoopResult[];
}> {
  const stack = await up(singleWorker);
  try {
    const rate = Math.round(modelledCapacityPerS(stack.config, prompt.length / 4, maxTokens) / 2);
    const direct: OpenLoopResult[] = [];
    const through: OpenLoopResult[] = [];
    await inferThroughGateway(stack, rate, 2); // warm connections and JIT on both paths
    await inferStraightToWorker(stack, rate, 2);
    for (let round = 0; round < 3; round++) {
      direct.push(await inferStraightToWorker(stack, rate, durationS));
      through.push(await inferThroughGateway(stack, rate, durationS));
    }
    const overheadP99Ms = median(through.map((r) => r.p99Ms)) - median(direct.map((r) => r.p99Ms));
    return { overheadP99Ms, rate, direct, stack: through };
  } finally {
    await stack.down();
  }
}

interface Trial {
  rate: number;
  p99Ms: number;
  errors: number;
  ok: boolean;
}

/**
 * Highest rate whose run keeps p99 <= 300 ms with no errors and >= 99 % of the rate achieved: the same
 * search `gauntlet capacity` runs (grow by 1.6x from 4 req/s until a trial fails, then bisect to 5 %),
 * with the bench's own open-loop trials instead of SLO verdicts.
 */
async function maxSustainedRate(
  maxBatchSize: number,
  trialS: number,
): Promise<{ rate: number; trials: Trial[] }> {
  const stack = await up(defaultTopology, (c) => {
    c.batchers.max_batch_size = maxBatchSize;
  });
  const trials: Trial[] = [];
  try {
    const outcome = await searchMaxRate({
      startRate: 4,
      growth: 1.6,
      shrink: 0.5,
      minRate: 1,
      maxRate: 100_000,
      maxTrials: 18,
      resolution: (rate) => Math.max(1, rate * 0.05),
      trial: async (rate) => {
        const r = await inferThroughGateway(stack, rate, trialS);
        const ok = r.p99Ms <= 300 && r.errors === 0 && r.achievedRatePerS >= 0.99 * rate;
        trials.push({ rate, p99Ms: r.p99Ms, errors: r.errors, ok });
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // let queues empty between trials
        return { verdict: ok ? 'pass' : 'fail', detail: undefined };
      },
    });
    return { rate: outcome.maxRate ?? 0, trials };
  } finally {
    await stack.down();
  }
}

export async function benchBatchingGain(trialS = 8): Promise<{ gain: number; at1: unknown; at32: unknown }> {
  const at1 = await maxSustainedRate(1, trialS);
  const at32 = await maxSustainedRate(32, trialS);
  return { gain: at32.rate / Math.max(at1.rate, 1e-9), at1, at32 };
}
