import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Experiment } from '../../chaos/experiment/experiment-schema.js';
import { loadStarterFrom } from '../../chaos/load-starter.js';
import { type ExperimentResult, type LoadStarter, runExperiment } from '../../chaos/run-experiment.js';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { Platform, StackHandle } from '../../core/platform/platform.js';
import type { Interrupt } from '../../core/process/interrupt.js';
import { buildRunResult } from '../../reports/build-run-result.js';
import { SampleCollector } from '../../reports/collector/sample-collector.js';
import { combineVerdicts } from '../../reports/model/kinds.js';
import { writeReports } from '../../reports/render/write-reports.js';
import type { RunResult } from '../../reports/run-result.js';
import { MetricsScraper } from '../../runner/collectors/metrics-scraper.js';
import { K6LoadDriver } from '../../runner/load/k6-load-driver.js';
import type { ScenarioName } from '../../runner/load/load-driver.js';
import { scenarioShape } from '../../scenarios/lib/scenario-plans.ts';
import { runVersions } from '../run/run-meta.js';
import { scenarioRecord } from '../run/scenario-record.js';
import { serverSeries } from '../run/server-series.js';
import { faultRecords, windowSloRecords } from './fault-records.js';

export interface RunChaosOptions {
  experiment: Experiment;
  platform: Platform;
  config: ClusterConfig;
  outDir: string;
  command: string[];
  seed: number;
  maxTokens: number;
  log?: (line: string) => void;
  /** Ctrl-C: stops the load, which ends the experiment early; rollbacks, audit and reports still run. */
  interrupt?: Interrupt;
}

/** Does this experiment touch a network link (then the stack needs its fault proxies)? */
export function needsNetworkProxies(experiment: Experiment): boolean {
  return experiment.faults.some((f) => f.action.startsWith('network-'));
}

/**
 * One chaos experiment end to end: a fresh stack (with fault proxies when the experiment needs them), the
 * experiment's load and fault schedule, then one report joining the load's samples, the server metrics and
 * the per-fault measurements, written like every other run (run.json with `faults`, junit.xml, ...).
 */
export async function runChaos(
  options: RunChaosOptions,
): Promise<{ run: RunResult; result: ExperimentResult | undefined }> {
  const log = options.log ?? (() => {});
  const { experiment } = options;
  mkdirSync(options.outDir, { recursive: true });
  rmSync(join(options.outDir, 'load'), { recursive: true, force: true });
  const startedAt = new Date().toISOString();
  let stack: StackHandle | undefined;
  let scraper: MetricsScraper | undefined;
  let result: ExperimentResult | undefined;
  let failure: unknown;
  const notes: string[] = [];
  try {
    stack = await options.platform.up(options.config, {
      log,
      networkProxies: needsNetworkProxies(experiment),
    });
    const s = stack;
    scraper = new MetricsScraper(() =>
      s
        .components()
        .flatMap((c) =>
          c.role !== 'etcd' && c.url && c.isAlive() && !c.isFrozen()
            ? [{ role: c.role, id: c.id, url: directUrl(s, c.url) }]
            : [],
        ),
    ).start();
    const starter = loadStarterFrom(new K6LoadDriver(), { seed: options.seed, maxTokens: options.maxTokens });
    const load: LoadStarter = {
      async start(plan) {
        const running = await starter.start(plan);
        void options.interrupt?.signalled.then(() => {
          notes.push(
            `interrupted by ${options.interrupt?.received ?? 'a signal'}: the load was stopped early`,
          );
          return running.stop();
        });
        return running;
      },
    };
    result = await runExperiment(experiment, {
      stack,
      load,
      outDir: options.outDir,
      ...(stack.links ? { links: stack.links } : {}),
      log,
    });
  } catch (error) {
    failure = error;
    notes.push(`the experiment failed: ${(error as Error).message.split('\n')[0]}`);
  }

  const points = (await scraper?.stop()) ?? [];
  const collector = new SampleCollector();
  if (result?.samplesFile) collector.ingestChunk(await readFile(result.samplesFile));
  collector.flush();
  const collected = collector.result();
  const env = {
    GAUNTLET_TARGET: 'http://127.0.0.1',
    RATE: String(experiment.load.rate),
    DURATION: `${experiment.load.durationS}s`,
    WARMUP: '0',
  };
  const shape = scenarioShape(experiment.load.scenario as ScenarioName, env);
  if (result) {
    notes.push(
      `experiment ${experiment.id}: ${result.status}; expected outcome: ${experiment.expectedOutcome}`,
    );
    notes.push(...result.reasons.map((r) => `experiment: ${r}`));
    for (const finding of result.audit) notes.push(`audit: ${JSON.stringify(finding)}`);
    if (result.rollbackErrors.length > 0) notes.push(`rollback errors: ${result.rollbackErrors.join('; ')}`);
  }
  const { versions, gitCommit } = runVersions();
  const run = buildRunResult({
    meta: {
      runId: options.outDir.split('/').filter(Boolean).at(-1) ?? 'chaos',
      startedAt,
      endedAt: new Date().toISOString(),
      complete:
        !options.interrupt?.received &&
        result !== undefined &&
        (result.status === 'completed' || result.status === 'steady_state_failed'),
      command: options.command,
      config: {
        cluster: options.config as unknown as Record<string, unknown>,
        run: { experiment: experiment.id, seed: options.seed, maxTokens: options.maxTokens },
      },
      seed: options.seed,
      versions,
      gitCommit,
      target: { kind: 'platform', platform: options.platform.name },
      notes,
    },
    collector: collected,
    scenarios:
      collected.samples > 0 ? [scenarioRecord(experiment.load.scenario, shape, undefined, collected)] : [],
    // Whole-run SLOs would mix the fault's own window into the steady state; an experiment is judged by its
    // steady state before the faults, its after-check and each fault's expectations (below).
    slos: [],
    serverMetrics: serverSeries(points, collected.timeOriginMs, 1_000),
    faults: result ? faultRecords(result, collected.timeOriginMs) : [],
  });
  if (result) {
    run.slos = [result.steadyState, result.afterCheck].flatMap((w) =>
      w ? windowSloRecords(w, collected.timeOriginMs) : [],
    );
    // The experiment's own verdict covers the steady state, the after-check, every expectation and the audit.
    run.verdict = combineVerdicts([
      result.verdict,
      ...run.slos.map((x) => x.verdict),
      ...(run.faults ?? []).map((f) => f.verdict),
    ]);
  } else {
    run.verdict = 'fail';
  }
  if (!run.complete && run.verdict === 'pass') run.verdict = 'inconclusive';
  await writeReports(options.outDir, run);
  await stack?.down();
  if (failure) throw failure;
  return { run, result };
}

function directUrl(stack: StackHandle, url: string): string {
  return stack.links ? stack.links.directUrl(url) : url;
}
