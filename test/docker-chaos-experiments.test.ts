import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../chaos/experiment/experiment-schema.js';
import { shippedExperiment } from '../chaos/experiments/shipped-experiments.js';
import { runExperiment } from '../chaos/run-experiment.js';
import { FetchLoad } from '../chaos/testing/fetch-load.js';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import type { StackHandle } from '../core/platform/platform.js';
import { DockerPlatform } from '../platforms/docker/docker-platform.js';
import { leftByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { dockerSkipReason } from './support/docker-engine.js';
import { scrapeHostOverloads } from './support/host-overload-scrapes.js';
import { useTempGauntletHome } from './support/local-stack.js';
import { shortenedExperiment } from './support/shortened-experiment.js';

/**
 * Parity with the local platform: shipped experiments, shortened as in chaos-experiments.test.ts (5 s
 * steady state, an 8 s fault at t+7 s, 24 s of load at 20 req/s), on containers. The topology is the
 * smallest each experiment's blast radius allows: 3 etcd members (a leader to kill and a quorum to keep),
 * 2 nodes x 1 worker (one node to freeze, one to serve), 1 batcher, 1 gateway. Needs dist/ and an engine.
 */
const skip = await dockerSkipReason();

const topology = (id: string) =>
  [
    // A limit of the stack on docker (README, "docker"): a killed container's connections are not reset
    // but go unanswered, and the services' etcd client can stay on the killed member for up to ~6 s
    // after a new leader is elected (seen: a batcher's 3 s lease lapsed 6.4 s after the kill, and the
    // gateway answered 503 until it registered again). etcd-leader-kill runs with leases that outlast
    // that, so it tests the election and the failover; the limit itself is the shipped experiment's
    // finding at the default 3 s.
    id === 'etcd-leader-kill' ? 'etcd: { members: 3, lease_ttl_s: 10 }' : 'etcd: { members: 3 }',
    'batchers: { replicas: 1 }',
    'nodes: [{ name: node-a, gpus: 1 }, { name: node-b, gpus: 1 }]',
  ].join('\n');

const experiments = ['worker-kill', 'worker-node-freeze', 'etcd-leader-kill'];

/**
 * The machine these tests run on is a 2-core host shared with other work: a p99 of 3-4 s before any fault
 * was measured there, so the latency SLO is loosened to 10 s. What the test is about stays: the error
 * rate, and each fault's expectations (no failed request, detection, recovery, audit).
 */
const shortened = (experiment: Experiment): Experiment =>
  shortenedExperiment(experiment, {
    windowS: 5,
    latencyBoundMs: 10_000,
    durationS: 24,
    faultAt: 7,
    faultDurationS: 8,
  });

/** The first requests of fresh containers are slow (JIT, connections): keep them out of the steady state. */
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
  for (let round = 0; round < 3; round++) await Promise.all([one(), one(), one(), one()]);
}

describe.skipIf(skip !== undefined)(
  `shipped chaos experiments on docker${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let stack: StackHandle | undefined;

    beforeAll(() => {
      useTempGauntletHome();
    });

    afterEach(async () => {
      const runId = stack?.runId;
      await stack?.down();
      stack = undefined;
      if (runId) expect(await leftByLabel(runId)).toEqual([]);
    });

    for (const id of experiments) {
      it(`${id}: meets its documented expectations on containers and leaves nothing behind`, async () => {
        stack = await new DockerPlatform().up(parseClusterConfig(topology(id), 'docker-chaos.yaml'), {
          readyTimeoutMs: 60_000,
        });
        const s = stack;
        await warmUp(s);
        const experiment = shortened(shippedExperiment(id));
        // Judged by the run's host-overload rule, as a user's run is (test/support/host-overload-scrapes.ts).
        await using scrapes = scrapeHostOverloads(s);
        const result = await runExperiment(experiment, {
          stack: s,
          load: new FetchLoad({ model: s.config.model_name }),
          outDir: join(s.runDir, 'chaos', id),
          hostOverloads: scrapes.hostOverloads,
        });
        const fault = result.faults[0];
        const summary = JSON.stringify({
          status: result.status,
          reasons: result.reasons,
          audit: result.audit,
          fault: { ...fault, windows: undefined },
        });
        expect(result.status, summary).toBe('completed');
        expect(fault?.injectedAt, summary).not.toBeNull();
        expect(fault?.detection, summary).toBe('detected');
        expect(fault?.failedTotal, summary).toBe(0);
        expect(result.audit, summary).toEqual([]);
        // 5 s windows are too thin for a two-sided p99 interval: a healthy run reads `pass` or `inconclusive`,
        // never `fail`; the fault's own counts and detection above carry this test.
        expect(result.verdict, summary).not.toBe('fail');
        expect(await Promise.all(s.components().map((c) => c.state()))).not.toContain('stopped');
      }, 240_000);
    }
  },
);
