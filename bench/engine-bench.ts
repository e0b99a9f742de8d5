import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import { LocalPlatform } from '../platforms/local/local-platform.js';
import { knownLatencyModel, startKnownLatencyServer } from '../runner/k6/known-latency-server.js';
import { type OpenLoopResult, runOpenLoop } from '../runner/load/open-loop-client.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * What the reference gateway, batcher and worker add in front of a real engine (`worker.engine: openai`):
 * the same chat requests at the same open-model rate, straight to a known-latency engine (5 tokens 20 ms
 * apart) and through a one-worker stack whose worker fronts it, interleaved three times; the figure is the
 * difference of the medians of the p99s (e2e: the whole answer).
 */
export async function benchEnginePath(
  ratePerS = 20,
  durationS = 10,
): Promise<{
  overheadP99Ms: number;
  overheadP50Ms: number;
  direct: OpenLoopResult[];
  stack: OpenLoopResult[];
}> {
  const engine = await startKnownLatencyServer({ streamTokens: 5, tokenGapMs: 20 });
  const yaml = [
    `model_name: ${knownLatencyModel}`,
    'etcd:\n  members: 1',
    'batchers:\n  replicas: 1',
    'nodes:\n  - name: node-a\n    gpus: 1',
    `worker:\n  engine:\n    kind: openai\n    url: ${engine.url}\n    model: ${knownLatencyModel}`,
    '',
  ].join('\n');
  const stack = await new LocalPlatform().up(parseClusterConfig(yaml, 'bench-engine'), {
    readyTimeoutMs: 30_000,
  });
  try {
    const body = (i: number) =>
      JSON.stringify({
        model: knownLatencyModel,
        messages: [{ role: 'user', content: `request ${i}: how fast is the engine?` }],
        max_tokens: 5,
        stream: true,
      });
    const direct = (seconds: number) =>
      runOpenLoop({ url: `${engine.url}/v1/chat/completions`, body, ratePerS, durationS: seconds });
    const through = (seconds: number) =>
      runOpenLoop({
        url: `${stack.gatewayUrl}/v1/chat/completions`,
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
        body,
        ratePerS,
        durationS: seconds,
      });
    // Warm both paths (connections, JIT) before anything is measured.
    await direct(2);
    await through(2);
    const directs: OpenLoopResult[] = [];
    const throughs: OpenLoopResult[] = [];
    for (let round = 0; round < 3; round++) {
      directs.push(await direct(durationS));
      throughs.push(await through(durationS));
    }
    return {
      overheadP99Ms: median(throughs.map((r) => r.p99Ms)) - median(directs.map((r) => r.p99Ms)),
      overheadP50Ms: median(throughs.map((r) => r.p50Ms)) - median(directs.map((r) => r.p50Ms)),
      direct: directs,
      stack: throughs,
    };
  } finally {
    await stack.down();
    await engine.close();
  }
}
