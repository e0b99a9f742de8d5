import type { CpuSet } from '../../core/process/cpu-set.js';
import type { Interrupt } from '../../core/process/interrupt.js';
import type { SampleCollector } from '../../reports/collector/sample-collector.js';
import { tailFile } from '../../reports/collector/tail-file.js';
import { scenarioEnv } from '../../runner/load/k6-load-driver.js';
import type { LoadDriver, LoadOutcome, LoadPlan, LoadRun } from '../../runner/load/load-driver.js';
import { phaseDurationS } from '../../scenarios/lib/arrival-schedule.ts';
import { type ScenarioShape, scenarioShape } from '../../scenarios/lib/scenario-plans.ts';
import type { ProgressDisplay } from './progress-display.js';

export interface LoadSessionContext {
  driver: LoadDriver;
  collector: SampleCollector;
  display: ProgressDisplay;
  interrupt: Interrupt | undefined;
  log: (message: string) => void;
  /** Set when the run has its own Prometheus: every load also writes its metrics there. */
  remoteWrite?: { url: string; testId: string };
  /** Set when the run keeps the generator on CPUs of its own, apart from the stack. */
  cpus?: CpuSet;
}

export interface LoadSession {
  readonly plan: LoadPlan;
  readonly shape: ScenarioShape;
  readonly run: LoadRun;
  /** Waits for the load to end (it never rejects), then stops following it; the same outcome every call. */
  finish(): Promise<LoadOutcome>;
}

/**
 * Starts one load and follows it the same way for every command: samples stream into the collector, the
 * live progress ticks, and Ctrl-C stops the load (its outcome then says it was stopped) so the steps after
 * it still run with what was measured.
 */
export async function startLoadSession(plan: LoadPlan, context: LoadSessionContext): Promise<LoadSession> {
  const shape = scenarioShape(plan.scenario, scenarioEnv(plan));
  const totalS = shape.phases.reduce((s, p) => s + phaseDurationS(p), 0);
  context.log(`${plan.scenario}: ${totalS} s at ${plan.rate} req/s base rate`);
  const startedMs = Date.now();
  const run = await context.driver.start({
    ...plan,
    ...(context.remoteWrite ? { remoteWrite: context.remoteWrite } : {}),
    ...(context.cpus ? { cpus: context.cpus } : {}),
  });
  const tail = tailFile(run.samplesFile, context.collector, { intervalMs: 200 });
  // No ticker without a display: a snapshot a second costs CPU the load generator may need.
  const ticker = context.display.enabled
    ? setInterval(
        () =>
          context.display.update(
            plan.scenario,
            (Date.now() - startedMs) / 1000,
            totalS,
            context.collector.snapshot(),
          ),
        1_000,
      )
    : undefined;
  let ended = false;
  void run.done.then(() => {
    ended = true;
  });
  void context.interrupt?.signalled.then(() => (ended ? undefined : run.stop()));
  let finished: Promise<LoadOutcome> | undefined;
  const finish = async (): Promise<LoadOutcome> => {
    try {
      return await run.done;
    } finally {
      clearInterval(ticker);
      await tail.close();
      context.display.done();
    }
  };
  return {
    plan,
    shape,
    run,
    finish: () => {
      finished ??= finish();
      return finished;
    },
  };
}
