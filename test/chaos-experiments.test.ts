import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Experiment } from '../chaos/experiment/experiment-schema.js';
import { shippedExperiment } from '../chaos/experiments/shipped-experiments.js';
import { runExperiment } from '../chaos/run-experiment.js';
import { FetchLoad } from '../chaos/testing/fetch-load.js';
import type { StackHandle } from '../core/platform/platform.js';
import { scrapeHostOverloads } from './support/host-overload-scrapes.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';
import { shortenedExperiment } from './support/shortened-experiment.js';

/**
 * Shipped experiments, shortened, on the real reference stack (3 etcd members, 4 workers on 2 nodes,
 * 2 batchers, 1 gateway), each on a fresh stack. etcd-leader-kill runs long enough for its windows to
 * decide (12 s windows at 100 req/s: ~1,200 requests a window, enough for each endpoint's p99 interval; an
 * 8 s fault at t+15 s; 41 s of load, so the after-check starts 6 s after the rollback); worker-node-freeze
 * runs as on docker and kind (5 s windows at 20 req/s, an 8 s fault at t+7 s, 24 s of load), which shows the
 * fault's mechanics at a fifth of the CPU: this file shares a 2-core host with another. On a busy machine
 * the stack's host may be starved: the windows then say `inconclusive`, never `fail`, and the test accepts
 * that (the fault's own expectations must still hold).
 * worker-kill, worker-node-kill, batcher-kill and gpu-crash restart a service, and a restarted service's URL
 * is read from its previous ready line until the local platform reads only the new one: add them here then.
 */
const experiments = [
  { id: 'etcd-leader-kill', windowsDecide: true },
  { id: 'worker-node-freeze', windowsDecide: false },
];

// The fault's mechanics are under test here (detection, no failed request, the audit). The 300 ms latency
// standard is judged by the full-length experiments on a quiet host (npm run bench): on this shared 2-core
// host a healthy stack's p99 at 100 req/s read 450-660 ms, so the latency bound is 5 s. 3 s of warm-up
// before the steady-state window (the one just before the fault): a cold stack is slower.
const shortened = (experiment: Experiment, windowsDecide: boolean): Experiment =>
  shortenedExperiment(
    experiment,
    windowsDecide
      ? { windowS: 12, latencyBoundMs: 5_000, rate: 100, durationS: 41, faultAt: 15, faultDurationS: 8 }
      : { windowS: 5, latencyBoundMs: 5_000, rate: 20, durationS: 24, faultAt: 7, faultDurationS: 8 },
  );

describe('shipped chaos experiments on the real local stack', () => {
  let stack: StackHandle | undefined;

  beforeAll(() => {
    useTempGauntletHome();
  });

  beforeEach(async () => {
    stack = await upLocalStack('', { readyTimeoutMs: 30_000 });
  }, 60_000);

  afterEach(async () => {
    await stack?.down();
    stack = undefined;
    expect(aliveProcesses()).toEqual([]);
  });

  for (const { id, windowsDecide } of experiments) {
    it(`${id}: meets its documented expectations and leaves nothing behind`, async () => {
      const s = stack as StackHandle;
      // The services' event-loop delay, as a run scrapes it: a starved host makes windows inconclusive.
      await using scrapes = scrapeHostOverloads(s);
      const experiment = shortened(shippedExperiment(id), windowsDecide);
      const result = await runExperiment(experiment, {
        stack: s,
        load: new FetchLoad({ model: s.config.model_name, maxTokens: 8 }),
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
      // Every window is the reports' evaluator's record, with an interval where the samples allow one.
      const slos = result.steadyState?.slos ?? [];
      expect(slos.map((v) => v.id)).toEqual(['infer-p99-e2e', 'chat-stream-p99-ttft', 'error-rate']);
      expect(
        slos.every((v) => v.samples > (windowsDecide ? 563 : 0)),
        summary,
      ).toBe(true);
      expect(fault?.checks.filter((c) => c.name !== 'after-window').every((c) => c.verdict !== 'fail')).toBe(
        true,
      );
      // Pass on a quiet machine; a starved host (or a generator on the same 2 cores) can only make it
      // inconclusive, never a fail of a healthy stack.
      expect(['pass', 'inconclusive'], summary).toContain(result.verdict);
      expect(await Promise.all(s.components().map((c) => c.state()))).not.toContain('stopped');
    }, 120_000);
  }
});
