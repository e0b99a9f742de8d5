import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { assertWithinBudget } from '../chaos/experiment/blast-budget.js';
import { assertCapabilities } from '../chaos/experiment/check-capabilities.js';
import { topologyOfPlan } from '../chaos/experiment/topology.js';
import { needsNetworkProxies } from '../chaos/experiments/shipped-experiments.js';
import type { ExperimentResult } from '../chaos/run-experiment.js';
import { allowedCpus, planCpuSplit } from '../core/process/cpu-set.js';
import { SampleCollector } from '../reports/collector/sample-collector.js';
import { writeReports } from '../reports/render/write-reports.js';
import type { RunResult } from '../reports/run-result.js';
import { K6LoadDriver } from '../runner/load/k6-load-driver.js';
import { BatcherAutoscaler } from './autoscale/batcher-autoscaler.js';
import type { PipelineOptions } from './pipeline-options.js';
import { bringUp } from './steps/bring-up.js';
import { collect } from './steps/collect.js';
import { judge } from './steps/judge.js';
import type { LoadSessionContext } from './steps/load-session.js';
import { ProgressDisplay } from './steps/progress-display.js';
import { faultPartDir, runFaults } from './steps/run-faults.js';
import { runLoad } from './steps/run-load.js';
import { markIncomplete, type RunState } from './steps/run-state.js';
import { startRunPrometheus } from './steps/start-prometheus.js';
import { startScrapes } from './steps/start-scrapes.js';
import { tearDown } from './steps/tear-down.js';

export interface PipelineResult {
  run: RunResult;
  outDir: string;
  /** One per fault part that ran, in order. */
  experiments: ExperimentResult[];
}

/**
 * The one run every command goes through: bring the stack up (or attach to --target), start the scrapes,
 * run each part (a load, or a chaos experiment with its load and faults), collect, judge, write the four
 * reports, tear down. Whatever happens (Ctrl-C, a crashed generator, an aborted experiment, a harness
 * error) the reports are written with what was measured, marked incomplete, before the stack goes down;
 * a harness error is thrown again after that.
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const log = options.log ?? (() => {});
  // Refused before anything starts: a fault the platform cannot perform would only fail mid-run.
  const platform = options.target.platform?.platform;
  for (const part of options.parts)
    if (part.kind === 'faults' && platform) assertCapabilities(part.experiment, platform);
  // On a cluster Gauntlet does not own, the operator's interlock: the target allowed, each fault in budget.
  const faultParts = options.parts.flatMap((part) => (part.kind === 'faults' ? [part.experiment] : []));
  const target = options.target.platform;
  if (target?.platform.blastBudget && faultParts.length > 0) {
    const budget = await target.platform.blastBudget();
    const topology = topologyOfPlan(target.platform.plan(target.config));
    for (const experiment of faultParts) assertWithinBudget(experiment, topology, budget);
  }
  mkdirSync(options.outDir, { recursive: true });
  // A rerun into the same folder replaces the previous run's raw load files (its reports are rewritten too).
  rmSync(join(options.outDir, 'load'), { recursive: true, force: true });
  const state: RunState = {
    startedAt: new Date().toISOString(),
    collector: new SampleCollector(),
    scenarios: [],
    experiments: [],
    notes: [],
    complete: true,
    stack: undefined,
    scraper: undefined,
    prometheus: undefined,
    failure: undefined,
  };
  const context: LoadSessionContext = {
    driver: options.driver ?? new K6LoadDriver(),
    collector: state.collector,
    display: new ProgressDisplay(options.progress ?? false),
    interrupt: options.interrupt,
    log,
  };
  let outcome: PipelineResult | undefined;
  let thrown: unknown;
  try {
    try {
      await runParts(options, state, context);
    } catch (error) {
      state.failure = error;
      markIncomplete(state, `the run failed: ${(error as Error).message.split('\n')[0]}`);
    }
    if (options.interrupt?.received) markIncomplete(state, `interrupted by ${options.interrupt.received}`);
    const run = judge(options, state, await collect(state, options.serverMetrics));
    await writeReports(options.outDir, run);
    outcome = { run, outDir: options.outDir, experiments: state.experiments };
  } catch (error) {
    thrown = error;
  }
  // Down even when judging or writing failed; a teardown error never hides the error that came first.
  try {
    await tearDown(state, log);
  } catch (error) {
    if (state.failure === undefined && thrown === undefined) thrown = error;
    else log(`teardown failed: ${(error as Error).message}`);
  }
  if (state.failure !== undefined) throw state.failure;
  if (thrown !== undefined || !outcome) throw thrown;
  return outcome;
}

async function runParts(
  options: PipelineOptions,
  state: RunState,
  context: LoadSessionContext,
): Promise<void> {
  const interrupted = () => options.interrupt?.received !== undefined;
  // Only a stack the run starts itself is placed: a --target's processes are not ours to move.
  const split = options.target.platform
    ? planCpuSplit(allowedCpus(), options.target.platform.cpuSplit ?? { kind: 'auto' })
    : undefined;
  if (split) {
    state.notes.push(`CPUs: ${split.note}`);
    context.log(`CPUs: ${split.note}`);
    if (split.loadgen) context.cpus = split.loadgen;
  }
  const reached = await bringUp(options.target, {
    cpus: split?.stack,
    networkProxies: options.parts.some((p) => p.kind === 'faults' && needsNetworkProxies(p.experiment)),
    log: context.log,
    onStack: (stack) => {
      state.stack = stack;
    },
  });
  if (reached.stack?.config.batchers.autoscale.enabled) {
    state.autoscaler = await BatcherAutoscaler.start(reached.stack, context.log);
  }
  if (reached.stack) state.scraper = startScrapes(reached.stack);
  if (options.serverMetrics?.kind === 'own-prometheus') {
    if (!reached.stack)
      context.log('--prometheus: no stack of the run to scrape (--target); k6 metrics only');
    state.prometheus = await startRunPrometheus(reached.stack, options.outDir, context.log);
    context.remoteWrite = { url: state.prometheus.server.remoteWriteUrl, testId: state.prometheus.testId };
  }
  for (const [index, part] of options.parts.entries()) {
    if (interrupted() || !state.complete) return;
    if (part.kind === 'load') {
      await runLoad(part.load, index, reached, options.outDir, state, context);
    } else {
      const dir = faultPartDir(options.outDir, index, options.parts.length, part.experiment.id);
      await runFaults(part, dir, reached, state, context);
    }
  }
}
