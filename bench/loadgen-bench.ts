import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import { LocalPlatform } from '../platforms/local/local-platform.js';
import { startKnownLatencyServer } from '../runner/k6/known-latency-server.js';
import { K6LoadDriver } from '../runner/load/k6-load-driver.js';

export interface LoadgenFigures {
  rateError: number;
  dropped: number;
  details: unknown;
}

/** One constant-rate k6 run of /infer requests; how exactly it held the rate, and what it dropped. */
async function holdRate(
  target: string,
  apiKey: string | undefined,
  env: Record<string, string>,
  rate: number,
  durationS: number,
): Promise<LoadgenFigures> {
  const run = await new K6LoadDriver().start({
    scenario: 'load',
    target,
    ...(apiKey ? { apiKey } : {}),
    rate,
    durationS,
    seed: 1,
    endpointMix: 'infer:1',
    maxTokens: 4,
    outDir: mkdtempSync(join(tmpdir(), 'gauntlet-loadgen-')),
    env: { WARMUP: '0', PROMPT_TOKENS_MEAN: '64', ...env },
  });
  const outcome = await run.done;
  const achieved = outcome.iterations / durationS;
  return {
    rateError: Math.abs(achieved - rate) / rate,
    dropped: outcome.droppedIterations,
    details: {
      achieved,
      iterations: outcome.iterations,
      dropped: outcome.droppedIterations,
      scheduleLagMs: outcome.scheduleLagMs,
      vusMax: outcome.vusMax,
      warnings: outcome.warnings,
    },
  };
}

/** k6 against the local stack (default topology) at 1,000 requests per second for 30 s. */
export async function benchLoadgen(rate = 1_000, durationS = 30): Promise<LoadgenFigures> {
  const stack = await new LocalPlatform().up(parseClusterConfig('', 'bench'));
  try {
    return await holdRate(stack.gatewayUrl, stack.apiKey, { EXPECTED_LATENCY_MS: '500' }, rate, durationS);
  } finally {
    await stack.down();
  }
}

/**
 * The same plan against a server that answers every request after exactly 50 ms: the generator's own
 * accuracy, without the stack competing for the same 2 cores.
 */
export async function benchLoadgenAlone(rate = 1_000, durationS = 30): Promise<LoadgenFigures> {
  await using server = await startKnownLatencyServer();
  return holdRate(server.url, undefined, { EXPECTED_LATENCY_MS: '100', MODEL: 'known' }, rate, durationS);
}
