import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { Platform, StackHandle } from '../../core/platform/platform.js';
import type { Interrupt } from '../../core/process/interrupt.js';
import { buildRunResult } from '../../reports/build-run-result.js';
import { SampleCollector } from '../../reports/collector/sample-collector.js';
import { type FileTail, tailFile } from '../../reports/collector/tail-file.js';
import { writeReports } from '../../reports/render/write-reports.js';
import type { FaultRecord, RunResult, ScenarioRecord } from '../../reports/run-result.js';
import type { Slo } from '../../reports/slo/slo-schema.js';
import { MetricsScraper } from '../../runner/collectors/metrics-scraper.js';
import { K6LoadDriver, scenarioEnv } from '../../runner/load/k6-load-driver.js';
import type { LoadDriver, LoadOutcome, LoadPlan, LoadRun } from '../../runner/load/load-driver.js';
import { LoadGeneratorError } from '../../runner/load/load-generator-error.js';
import { phaseDurationS } from '../../scenarios/lib/arrival-schedule.ts';
import { scenarioShape } from '../../scenarios/lib/scenario-plans.ts';
import { ProgressDisplay } from './progress-display.js';
import { runVersions } from './run-meta.js';
import { scenarioRecord } from './scenario-record.js';
import { serverSeries } from './server-series.js';

/** One part of a run: a scenario with its load plan (target, key and folder are filled in by the run). */
export type RunPart = Omit<LoadPlan, 'target' | 'apiKey' | 'outDir'>;

export interface RunTargetSpec {
  /** Bring a stack up on this platform (and down at the end)... */
  platform?: { platform: Platform; config: ClusterConfig };
  /** ...or load a stack that is already up (any OpenAI-compatible endpoint). */
  url?: string;
  apiKey?: string;
}

export interface ExecuteRunOptions {
  parts: RunPart[];
  target: RunTargetSpec;
  slos: readonly Slo[];
  outDir: string;
  command: string[];
  runOptions: Record<string, unknown>;
  interrupt?: Interrupt;
  progress?: boolean;
  driver?: LoadDriver;
  log?: (message: string) => void;
  /** Called with the live stack once load has started (chaos injects faults here). */
  duringLoad?: (context: DuringLoadContext) => Promise<FaultRecord[]>;
}

export interface DuringLoadContext {
  stack: StackHandle | undefined;
  collector: SampleCollector;
  partIndex: number;
  loadStartedAtMs: number;
  stopLoad: () => Promise<void>;
}

export interface ExecuteRunResult {
  run: RunResult;
  outDir: string;
}

const scrapeIntervalMs = 1_000;

/**
 * The run: bring up (or reach) the stack, run each part's load with k6 while samples stream into the
 * collector and the stack's /metrics are scraped, then judge the SLOs and write the four reports. Whatever
 * happens (Ctrl-C, a crashed generator, a harness error) the reports are written with what was measured,
 * marked incomplete, before the stack is torn down.
 */
export async function executeRun(options: ExecuteRunOptions): Promise<ExecuteRunResult> {
  const log = options.log ?? (() => {});
  const startedAt = new Date().toISOString();
  mkdirSync(options.outDir, { recursive: true });
  // A rerun into the same folder replaces the previous run's raw load files (its reports are rewritten too).
  rmSync(join(options.outDir, 'load'), { recursive: true, force: true });
  const collector = new SampleCollector();
  const display = new ProgressDisplay(options.progress ?? false);
  const driver = options.driver ?? new K6LoadDriver();
  const scenarios: ScenarioRecord[] = [];
  const faults: FaultRecord[] = [];
  const notes: string[] = [];
  let complete = true;
  let stack: StackHandle | undefined;
  let scraper: MetricsScraper | undefined;
  let failure: unknown;

  try {
    if (options.target.platform) {
      const { platform, config } = options.target.platform;
      stack = await platform.up(config, { log });
      if (options.interrupt?.received) throw new InterruptedError();
      const s = stack;
      scraper = new MetricsScraper(
        () =>
          s
            .components()
            .flatMap((c) =>
              c.role !== 'etcd' && c.url && c.isAlive() ? [{ role: c.role, id: c.id, url: c.url }] : [],
            ),
        scrapeIntervalMs,
      ).start();
    }
    const target = stack?.gatewayUrl ?? options.target.url;
    const apiKey = stack?.apiKey ?? options.target.apiKey;
    if (!target) throw new Error('a run needs a platform or a target URL');

    for (const [index, part] of options.parts.entries()) {
      const plan: LoadPlan = {
        ...part,
        target,
        ...(apiKey ? { apiKey } : {}),
        outDir: join(options.outDir, 'load', `${index + 1}-${part.scenario}`),
      };
      const shape = scenarioShape(part.scenario, scenarioEnv(plan));
      const totalS = shape.phases.reduce((s, p) => s + phaseDurationS(p), 0);
      log(`${part.scenario}: ${totalS} s at ${part.rate} req/s base rate`);
      const partStartedMs = Date.now();
      const load = await driver.start(plan);
      const tail = tailFile(load.samplesFile, collector, { intervalMs: 200 });
      const ticker = setInterval(
        () =>
          display.update(part.scenario, (Date.now() - partStartedMs) / 1000, totalS, collector.snapshot()),
        1_000,
      );
      let outcome: LoadOutcome | undefined;
      try {
        const chaos = options.duringLoad?.({
          stack,
          collector,
          partIndex: index,
          loadStartedAtMs: partStartedMs,
          stopLoad: async () => {
            await load.stop();
          },
        });
        outcome = await untilDoneOrInterrupted(load, options.interrupt);
        if (chaos) faults.push(...(await chaos));
      } finally {
        clearInterval(ticker);
        await closeTail(tail);
        display.done();
      }
      scenarios.push(scenarioRecord(part.scenario, shape, outcome, collector.result()));
      notes.push(...outcome.warnings.map((w) => `${part.scenario}: ${w}`));
      if (options.interrupt?.received) throw new InterruptedError();
      if (outcome.failure) {
        throw new LoadGeneratorError(
          `${part.scenario}: the load generator failed: ${outcome.failure}\n(the reports in ${options.outDir} hold what was measured, marked incomplete)`,
        );
      }
      if (outcome.aborted && outcome.abortReason !== 'thresholds') {
        complete = false;
        notes.push(`${part.scenario}: the load ended early (${outcome.abortReason ?? 'unknown reason'})`);
        break;
      }
    }
  } catch (error) {
    complete = false;
    if (error instanceof InterruptedError)
      notes.push(`interrupted by ${options.interrupt?.received ?? 'a signal'}`);
    else if (error instanceof LoadGeneratorError) {
      failure = error;
      notes.push(error.message.split('\n')[0] ?? error.message);
    } else {
      failure = error;
      notes.push(`the run failed: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  // Nothing is lost: write what was measured, whatever happened above, then tear down.
  const points = (await scraper?.stop()) ?? [];
  const result = collector.result();
  const { versions, gitCommit } = runVersions();
  const run = buildRunResult({
    meta: {
      runId: options.outDir.split('/').filter(Boolean).at(-1) ?? 'run',
      startedAt,
      endedAt: new Date().toISOString(),
      complete,
      command: options.command,
      config: {
        cluster:
          (stack?.config as unknown as Record<string, unknown>) ?? options.target.platform?.config ?? null,
        run: options.runOptions,
      },
      seed: options.parts[0]?.seed ?? 0,
      versions,
      gitCommit,
      target: stack
        ? { kind: 'platform', platform: stack.platform }
        : { kind: 'url', url: options.target.url ?? '' },
      notes,
    },
    collector: result,
    scenarios,
    slos: options.slos,
    serverMetrics: serverSeries(points, result.timeOriginMs, scrapeIntervalMs),
    ...(faults.length > 0 ? { faults } : {}),
  });
  await writeReports(options.outDir, run);
  await stack?.down();
  if (failure) throw failure;
  return { run, outDir: options.outDir };
}

class InterruptedError extends Error {}

async function untilDoneOrInterrupted(load: LoadRun, interrupt: Interrupt | undefined): Promise<LoadOutcome> {
  if (!interrupt) return load.done;
  const winner = await Promise.race([load.done, interrupt.signalled.then(() => undefined)]);
  return winner ?? load.stop();
}

async function closeTail(tail: FileTail): Promise<void> {
  await tail.close();
}
