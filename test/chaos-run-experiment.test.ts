import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineExperiment } from '../chaos/experiment/define-experiment.js';
import type { ExperimentInput } from '../chaos/experiment/experiment-schema.js';
import type { DetectionObservation } from '../chaos/measure/detection.js';
import type { LoadPlan, LoadStarter, RoutingProbe, RunningLoad } from '../chaos/run-experiment.js';
import { runExperiment } from '../chaos/run-experiment.js';
import { ConfigError } from '../core/config/config-error.js';
import type { StackHandle } from '../core/platform/platform.js';
import { ProcessStack, sleeper } from '../platforms/local/testing/process-stack.js';
import type { RequestSample } from '../reports/model/request-sample.js';
import { startWorkerServer, type WorkerServer } from '../stack/worker/worker-server.js';

/**
 * A load generator stand-in that writes real sample lines at 500 req/s (10 every 20 ms: enough for a p99
 * interval in a 2 s window), round robin over two workers; a request to a worker that is down fails (as a
 * stream cut), so the faults have a measurable effect.
 */
class FakeLoad implements LoadStarter {
  stopped = 0;
  plans: LoadPlan[] = [];
  constructor(
    private readonly stack: ProcessStack,
    private readonly outcome: (
      sample: RequestSample,
      stack: ProcessStack,
    ) => Partial<RequestSample> = () => ({}),
  ) {}

  async start(plan: LoadPlan): Promise<RunningLoad> {
    this.plans.push(plan);
    mkdirSync(plan.outDir, { recursive: true });
    const samplesFile = join(plan.outDir, 'samples.ndjson');
    let n = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const endAt = Date.now() + plan.durationS * 1000;
    const timer = setInterval(() => {
      if (Date.now() >= endAt) {
        clearInterval(timer);
        finish();
        return;
      }
      const lines: string[] = [];
      for (let i = 0; i < 10; i++) lines.push(this.sample(n++));
      appendFileSync(samplesFile, lines.join(''));
    }, 20);
    return {
      samplesFile,
      done,
      stop: async () => {
        this.stopped++;
        clearInterval(timer);
        finish();
      },
    };
  }

  private sample(n: number): string {
    {
      const w = n % 2 === 0 ? 'node-a-gpu0' : 'node-b-gpu0';
      const base: RequestSample = {
        id: `r${n}`,
        sc: 'load',
        ph: 'steady',
        ep: 'chat',
        t0: Date.now() - 100,
        st: 200,
        ok: 1,
        e2e: 100,
        out: 16,
        w,
      };
      const alive = this.stack.component(w).isRunning();
      const sample = alive ? base : { ...base, ok: 0 as const, err: 'stream_cut' as const };
      return `${JSON.stringify({ ...sample, ...this.outcome(sample, this.stack) })}\n`;
    }
  }
}

/** The batcher's view: a worker is not live while its process is down (what the etcd lease would show). */
function aliveProbe(stack: StackHandle): RoutingProbe {
  const seen: DetectionObservation[] = [];
  const down = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      timer = setInterval(async () => {
        for (const c of stack.components({ role: 'worker' })) {
          const running = (await c.state()) !== 'stopped';
          if (!running && !down.has(c.id))
            seen.push({ t: Date.now(), targetId: c.id, signal: 'not_live', source: 'batcher:batcher-0' });
          if (running) down.delete(c.id);
          else down.add(c.id);
        }
      }, 50);
    },
    async stop() {
      clearInterval(timer);
    },
    observations: () => seen,
  };
}

const experiment = (over: Partial<ExperimentInput> = {}) =>
  defineExperiment({
    id: 'test-kill',
    title: 'kill a worker',
    description: 'd',
    expectedOutcome: 'e',
    steadyState: {
      slos: [
        { id: 'p99', metric: 'e2e', stat: 'p99', op: '<', threshold: 1_000 },
        { id: 'err', metric: 'error_rate', op: '<', threshold: 0.05 },
      ],
      windowS: 2,
    },
    load: { scenario: 'load', rate: 500, durationS: 10 },
    faults: [
      { id: 'kill-a', at: 3, durationS: 2, action: 'kill', target: { role: 'worker', node: 'node-a' } },
    ],
    expectations: { maxFailedRequests: 0, maxRecoveryS: 3 },
    ...over,
  });

describe('runExperiment (real processes, a stand-in load)', () => {
  let dir: string;
  let stack: ProcessStack;
  const servers: WorkerServer[] = [];
  const options = (load: LoadStarter, out: string) => ({
    stack,
    load,
    outDir: join(dir, out),
    tickMs: 200,
    loadGraceMs: 3_000,
    probe: aliveProbe,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gauntlet-run-'));
    for (const id of ['node-a-gpu0', 'node-b-gpu0'])
      servers.push(await startWorkerServer({ id, adminToken: 'adm-run' }));
    stack = await ProcessStack.start(
      [
        { role: 'worker', id: 'node-a-gpu0', node: 'node-a', launch: sleeper(servers[0]?.url) },
        { role: 'worker', id: 'node-b-gpu0', node: 'node-b', launch: sleeper(servers[1]?.url) },
        { role: 'batcher', id: 'batcher-0', node: 'control', launch: sleeper() },
      ],
      { runDir: dir, adminToken: 'adm-run' },
    );
  });

  afterAll(async () => {
    await stack?.down();
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the schedule, rolls back on time, measures each fault and writes the result', async () => {
    const load = new FakeLoad(stack);
    const result = await runExperiment(experiment(), options(load, 'ok'));
    expect(result.status).toBe('completed');
    expect(result.steadyState?.verdict).toBe('pass');
    const [fault] = result.faults;
    if (!fault || fault.injectedAt === null) throw new Error('fault not injected');
    expect(fault.targets).toEqual(['node-a-gpu0']);
    expect(fault.injectedAt - result.loadStartMs).toBeGreaterThanOrEqual(3_000);
    // Faults are due at their own time, not on the next 200 ms tick.
    expect(fault.injectedAt - result.loadStartMs).toBeLessThan(3_150);
    // The rollback is due on the schedule; injectedAt is stamped once the kill took effect (up to ~100 ms
    // later on a busy host), so the measured span can be that much shorter than the 2 s planned.
    expect((fault.revertedAt ?? 0) - fault.injectedAt).toBeGreaterThanOrEqual(1_850);
    expect((fault.revertedAt ?? 0) - fault.injectedAt).toBeLessThan(2_500);
    // Half the requests (those to node-a) fail for the 2 s the worker is down: ~500.
    expect(fault.failedRequests.stream_cut).toBeGreaterThan(300);
    expect(fault.failedRequests.stream_cut).toBeLessThan(700);
    expect(fault.detection).toBe('detected');
    expect(fault.detectedAfterMs).toBeLessThan(200);
    // Back inside the SLOs once the worker is restarted, 2 s after the kill (windows start 1 s apart; a
    // slow restart on a busy machine may push it to the next window).
    expect([2_000, 3_000]).toContain(fault.recoveredAfterMs);
    expect(fault.recovery).toMatchObject({ status: 'recovered', resolutionMs: 1_000, windowMs: 2_000 });
    expect(fault.verdict).toBe('fail');
    expect(fault.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['maxFailedRequests', 'fail'],
      ['maxRecoveryS', 'pass'],
      ['after-window', 'pass'],
    ]);
    expect(fault.checks[0]?.detail).toMatch(/^failed requests \d+ > maxFailedRequests 0 \(stream_cut \d+\)$/);
    // Every window verdict is the reports' evaluator's record: observed, CI, samples.
    const during = fault.windows[1]?.slos.find((s) => s.id === 'err');
    expect(during?.ci).not.toBeNull();
    expect(during?.samples).toBeGreaterThan(563);
    expect(fault.windows.map((w) => [w.phase, w.verdict])).toEqual([
      ['before', 'pass'],
      ['during', 'fail'],
      ['after', 'pass'],
    ]);
    expect(result.afterCheck?.verdict).toBe('pass');
    expect(result.audit).toEqual([]);
    expect(stack.component('node-a-gpu0').isRunning()).toBe(true);
    expect(result.verdict).toBe('fail');
    expect(load.plans[0]).toMatchObject({
      experimentId: 'test-kill',
      scenario: 'load',
      rate: 500,
      durationS: 10,
      apiKey: stack.apiKey,
    });
    const written = JSON.parse(readFileSync(join(dir, 'ok', 'chaos-result.json'), 'utf8')) as {
      faults: Array<{ id: string }>;
    };
    expect(written.faults[0]?.id).toBe('kill-a');
    const journal = JSON.parse(readFileSync(join(dir, 'ok', 'fault-journal.json'), 'utf8')) as {
      faults: Array<{ injectedAt: number }>;
    };
    expect(journal.faults[0]?.injectedAt).toBe(fault.injectedAt);
  });

  it('injects nothing when the steady state does not hold, and stops the load', async () => {
    const load = new FakeLoad(stack, () => ({ ok: 0, err: 'server_error', st: 500 }));
    const result = await runExperiment(experiment(), options(load, 'unsteady'));
    expect(result.status).toBe('steady_state_failed');
    expect(result.journal.faults).toEqual([]);
    expect(load.stopped).toBe(1);
    expect(result.verdict).toBe('fail');
    expect(result.reasons[0]).toMatch(/^steady state not met before any fault/);
    expect(result.faults[0]?.verdict).toBe('inconclusive');
  });

  it('aborts on the error-rate rule: stops the load, rolls back, sweeps, audits clean', async () => {
    // Every request fails while node-a is down.
    const load = new FakeLoad(stack, (_s, st) =>
      st.component('node-a-gpu0').isRunning() ? {} : { ok: 0, err: 'connection', st: 0 },
    );
    const result = await runExperiment(
      experiment({
        faults: [{ id: 'kill-a', at: 3, action: 'kill', target: { role: 'worker', node: 'node-a' } }],
        abort: [{ when: 'error_rate_above', threshold: 0.5, forS: 1 }],
      }),
      options(load, 'abort'),
    );
    expect(result.status).toBe('aborted');
    expect(result.abort?.message).toMatch(/> 50 %$/);
    expect((result.abort?.at ?? 0) - result.loadStartMs).toBeLessThan(5_000);
    expect(load.stopped).toBe(1);
    expect(result.journal.faults[0]?.revertedAt).toBeGreaterThan(
      result.abort?.at ?? Number.POSITIVE_INFINITY,
    );
    expect(stack.component('node-a-gpu0').isRunning()).toBe(true);
    expect(result.audit).toEqual([]);
    expect(result.verdict).toBe('fail');
  });

  it("aborts when the platform's kill switch is pulled: stops the load, rolls the fault back", async () => {
    const load = new FakeLoad(stack);
    // The kill switch is the platform's (the cluster platform's ConfigMap or file); pulled while the fault
    // is in force (node-a's worker down), so the abort has a fault to roll back.
    const switched: StackHandle = Object.create(stack, {
      killSwitch: {
        value: () =>
          stack.component('node-a-gpu0').isRunning()
            ? undefined
            : 'ConfigMap gauntlet-kill-switch (stop now)',
      },
    });
    const result = await runExperiment(experiment(), { ...options(load, 'kill-switch'), stack: switched });
    expect(result.status).toBe('aborted');
    expect(result.abort?.message).toBe('kill switch pulled: ConfigMap gauntlet-kill-switch (stop now)');
    expect(load.stopped).toBe(1);
    expect(result.journal.faults[0]?.injectedAt).toBeLessThan(result.abort?.at ?? 0);
    expect(result.journal.faults[0]?.revertedAt).toBeGreaterThanOrEqual(
      result.abort?.at ?? Number.POSITIVE_INFINITY,
    );
    expect(stack.component('node-a-gpu0').isRunning()).toBe(true);
    expect(result.audit).toEqual([]);
  });

  it('still runs every sweep when the load cannot start', async () => {
    await stack.component('batcher-0').kill('SIGKILL');
    const broken: LoadStarter = {
      start: async () => {
        throw new Error('k6 is missing');
      },
    };
    const result = await runExperiment(experiment(), options(broken, 'broken'));
    expect(result.status).toBe('error');
    expect(result.error).toBe('k6 is missing');
    expect(result.sweeps).toEqual(['restart-dead: restarted batcher-0']);
    expect(stack.component('batcher-0').isRunning()).toBe(true);
    expect(result.verdict).toBe('inconclusive');
  });

  it('refuses a plan that would take out every worker of this stack before touching anything', async () => {
    const load = new FakeLoad(stack);
    const all = experiment({
      faults: [{ id: 'all', at: 2, action: 'kill', target: { role: 'worker', count: 'all' } }],
    });
    await expect(runExperiment(all, options(load, 'refused'))).rejects.toThrow(ConfigError);
    expect(load.plans).toEqual([]);
    expect(stack.components().every((c) => c.isRunning())).toBe(true);
  });
});
