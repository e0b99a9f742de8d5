import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineExperiment } from '../chaos/experiment/define-experiment.js';
import { gatewayKill } from '../chaos/experiments/gateway-kill.js';
import { runExperiment } from '../chaos/run-experiment.js';
import { FetchLoad } from '../chaos/testing/fetch-load.js';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import { deadUpstreamCost, parseAccessLog } from '../core/load-balancer/access-log.js';
import type { StackHandle } from '../core/platform/platform.js';
import { DockerPlatform } from '../platforms/docker/docker-platform.js';
import { leftByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { balancedYaml } from './support/balanced-stack.js';
import { dockerSkipReason } from './support/docker-engine.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';

/**
 * The shipped gateway-kill experiment, shortened (5 s steady state, gateway-0 killed at t+6 s for 8 s,
 * 18 s of load at 20 req/s, after a few warm-up requests), on two gateways behind Debian's nginx (local
 * processes, and containers when a Docker engine answers), once
 * with proxy_next_upstream on and once off. Requests under way on the gateway when it dies are lost
 * either way (POSTs already sent; retry_sent_requests is off). What nginx's settings decide is the
 * requests that meet the dead gateway afterwards: fail_timeout 2 s makes nginx try it again every 2 s
 * while it stays dead, and each such attempt is retried unseen, or a 502 to the client without retries.
 */
/** How long gateway-0 stays dead: four of nginx's 2 s fail_timeout periods. */
const deadS = 8;

const shortened = defineExperiment({
  ...gatewayKill,
  // This test is about failed requests, not latency: on a 2-core machine shared with other work, the
  // 2 s p99 of the shipped steady state can fail before any fault; the error rate still has to hold.
  steadyState: {
    windowS: 5,
    slos: [
      { id: 'e2e-p99', metric: 'e2e', stat: 'p99', op: '<', threshold: 30_000 },
      { id: 'error-rate', metric: 'error_rate', op: '<', threshold: 0.01 },
    ],
  },
  load: { ...gatewayKill.load, rate: 20, durationS: 18 },
  faults: gatewayKill.faults.map((f) => ({ ...f, at: 6, durationS: deadS })),
  // A busy shared host can have dozens of requests in flight on the gateway when it dies: the safety
  // abort (half the requests of 5 s failed) would stop the run before the part under test.
  abort: [],
});

const maxFails = 1;
const failTimeoutS = 2;

async function run(stack: StackHandle) {
  // gateway-0 is the target (pick: first); its port is fixed for the run, so nginx's address for it too.
  const dead = new URL(stack.component('gateway-0').url ?? 'http://unknown').host;
  await warmUp(stack);
  const result = await runExperiment(shortened, {
    stack,
    load: new FetchLoad({ model: stack.config.model_name }),
    outDir: join(stack.runDir, 'chaos', 'gateway-kill'),
  });
  const fault = result.faults[0];
  const injectedAt = fault?.injectedAt ?? 0;
  const requests = parseAccessLog((await stack.component('load-balancer-0').logs.read()) ?? '');
  const cost = deadUpstreamCost(requests, dead, {
    from: injectedAt,
    to: injectedAt + deadS * 1000, // the gateway is restarted then
    failTimeoutMs: failTimeoutS * 1000,
  });
  const summary = JSON.stringify({
    status: result.status,
    reasons: result.reasons,
    failed: fault?.failedTotal,
    failedByKind: fault?.failedRequests,
    cost,
    dead,
  });
  return { result, fault, cost, summary };
}

/** The first requests of a fresh stack are slow (JIT, connections): keep them out of the steady state. */
async function warmUp(stack: StackHandle): Promise<void> {
  const one = async () => {
    const response = await fetch(`${stack.gatewayUrl}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: stack.config.model_name, prompt: 'warm up', max_tokens: 4 }),
      signal: AbortSignal.timeout(10_000),
    });
    await response.text();
  };
  // Both gateways, a few at once: least_conn spreads concurrent requests.
  for (let round = 0; round < 3; round++) await Promise.all([one(), one(), one(), one()]);
}

/** Brings the balanced stack up on one platform; the docker run's leftovers are checked by label. */
interface PlatformUnderTest {
  name: 'local' | 'docker';
  skip: string | undefined;
  up(yaml: string): Promise<StackHandle>;
  leftBehind(stack: StackHandle): Promise<unknown[]>;
}

const platforms: PlatformUnderTest[] = [
  {
    name: 'local',
    skip: undefined,
    up: (yaml) => upLocalStack(yaml, { readyTimeoutMs: 30_000 }),
    leftBehind: async () => aliveProcesses(),
  },
  {
    name: 'docker',
    skip: await dockerSkipReason(),
    up: (yaml) =>
      new DockerPlatform().up(parseClusterConfig(yaml, 'balanced.yaml'), { readyTimeoutMs: 60_000 }),
    leftBehind: (stack) => leftByLabel(stack.runId),
  },
];

for (const platform of platforms) {
  const skipped = platform.skip ? ` (skipped: ${platform.skip})` : '';
  describe.skipIf(platform.skip !== undefined)(
    `gateway-kill on ${platform.name}: what nginx passive health checks cost, with and without retries${skipped}`,
    () => {
      let stack: StackHandle | undefined;

      beforeAll(() => {
        useTempGauntletHome();
      });

      afterEach(async () => {
        const s = stack;
        await s?.down();
        stack = undefined;
        if (s) expect(await platform.leftBehind(s)).toEqual([]);
      });

      it('proxy_next_upstream on: attempts on the dead gateway after its death are retried unseen', async () => {
        stack = await platform.up(
          balancedYaml(`max_fails: ${maxFails}, fail_timeout_s: ${failTimeoutS}, proxy_next_upstream: true`),
        );
        const { result, fault, cost, summary } = await run(stack);
        expect(result.status, summary).toBe('completed');
        expect(cost.diedAt, summary).not.toBeNull();
        expect(cost.skippedAfterMs, summary).not.toBeNull();
        // nginx tried the dead gateway again (fail_timeout 2 s, fault 8 s) and retried each attempt.
        expect(cost.attemptsAfter, summary).toBeGreaterThanOrEqual(1);
        expect(cost.retriedAfter, summary).toBe(cost.attemptsAfter);
        expect(cost.failedAfter, summary).toBe(0);
        // Near zero: what the client saw fail is at most what was in flight on the gateway when it died.
        expect(fault?.failedTotal, summary).toBeLessThanOrEqual(cost.inFlight);
        expect(result.audit, summary).toEqual([]);
      }, 240_000);

      it('proxy_next_upstream off: each attempt on the dead gateway is a 502 until nginx skips it', async () => {
        stack = await platform.up(
          balancedYaml(`max_fails: ${maxFails}, fail_timeout_s: ${failTimeoutS}, proxy_next_upstream: false`),
        );
        const { result, fault, cost, summary } = await run(stack);
        expect(result.status, summary).toBe('completed');
        expect(cost.diedAt, summary).not.toBeNull();
        expect(cost.attemptsAfter, summary).toBeGreaterThanOrEqual(1);
        expect(cost.failedAfter, summary).toBe(cost.attemptsAfter);
        expect(cost.retriedAfter, summary).toBe(0);
        // The client saw the in-flight losses and every later attempt.
        expect(fault?.failedTotal, summary).toBeGreaterThanOrEqual(cost.inFlightFailed + cost.failedAfter);
        expect(result.audit, summary).toEqual([]);
      }, 240_000);
    },
  );
}
