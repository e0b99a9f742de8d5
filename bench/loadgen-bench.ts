import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterConfig } from '../harness/config/load-cluster-config.js';
import { startKnownLatencyServer } from '../harness/k6/known-latency-server.js';
import { K6LoadDriver } from '../harness/load/k6-load-driver.js';
import { LocalPlatform } from '../harness/platform/local/local-platform.js';

/**
 * The same k6 plan against a server that answers every request after exactly 50 ms: the generator's own
 * accuracy, with nothing else competing for the cores.
 */
export async function benchLoadgenAlone(
  rate = 1_000,
  durationS = 30,
): Promise<{ rateError: number; dropped: number; details: unknown }> {
  await using server = await startKnownLatencyServer();
  const outDir = mkdtempSync(join(tmpdir(), 'gauntlet-loadgen-alone-'));
  const run = await new K6LoadDriver().start({
    scenario: 'load',
    target: server.url,
    rate,
    durationS,
    seed: 1,
    endpointMix: 'infer:1',
    maxTokens: 4,
    outDir,
    env: { WARMUP: '0', PROMPT_TOKENS_MEAN: '64', EXPECTED_LATENCY_MS: '100', MODEL: 'known' },
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
      warnings: outcome.warnings,
    },
  };
}

/**
 * k6 against the local stack at 1,000 requests per second for 30 s: how exactly the open-model generator
 * holds its rate (|achieved - target| / target) and whether it dropped iterations.
 */
export async function benchLoadgen(
  rate = 1_000,
  durationS = 30,
): Promise<{ rateError: number; dropped: number; details: unknown }> {
  const stack = await new LocalPlatform().up(parseClusterConfig('', 'bench'));
  try {
    const outDir = mkdtempSync(join(tmpdir(), 'gauntlet-loadgen-'));
    const run = await new K6LoadDriver().start({
      scenario: 'load',
      target: stack.gatewayUrl,
      apiKey: stack.apiKey,
      rate,
      durationS,
      seed: 1,
      endpointMix: 'infer:1',
      maxTokens: 4,
      outDir,
      env: { WARMUP: '0', PROMPT_TOKENS_MEAN: '64', EXPECTED_LATENCY_MS: '500' },
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
        warnings: outcome.warnings,
        vusMax: outcome.vusMax,
      },
    };
  } finally {
    await stack.down();
  }
}
