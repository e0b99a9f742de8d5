import { join } from 'node:path';
import type { Interrupt } from '../../core/process/interrupt.js';
import { writeReports } from '../../reports/render/write-reports.js';
import type { RunResult } from '../../reports/run-result.js';
import type { Slo } from '../../reports/slo/slo-schema.js';
import type { LoadDriver } from '../../runner/load/load-driver.js';
import { runChaos } from '../chaos/run-chaos.js';
import type { RunTargetSpec, ServerMetricsSource } from '../pipeline-options.js';
import { executeRun } from '../run/execute-run.js';
import { gateFailoverExperiment, mergeFailover } from './failover-part.js';
import type { Suite, SuiteOptions } from './suites.js';

export interface RunGateOptions {
  suite: Suite;
  suiteOptions: SuiteOptions;
  target: RunTargetSpec;
  slos: readonly Slo[];
  outDir: string;
  command: string[];
  interrupt?: Interrupt;
  progress?: boolean;
  driver?: LoadDriver;
  serverMetrics?: ServerMetricsSource;
  log?: (message: string) => void;
}

/**
 * A gate: the suite's load parts through the pipeline on one stack, then (for suites with failover) the
 * failover experiment through the pipeline on a fresh stack, so a fault never leaks into the load parts'
 * figures; one combined report in outDir, the failover part's own in outDir/failover.
 */
export async function runGate(options: RunGateOptions): Promise<{ run: RunResult; outDir: string }> {
  const { suite, suiteOptions, target } = options;
  const log = options.log ?? (() => {});
  const parts = suite.parts(suiteOptions);
  const loaded = await executeRun({
    parts,
    target,
    slos: options.slos,
    outDir: options.outDir,
    command: options.command,
    runOptions: { suite: suite.name, ...gateRunOptions(suiteOptions), parts },
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    ...(options.driver ? { driver: options.driver } : {}),
    ...(options.serverMetrics ? { serverMetrics: options.serverMetrics } : {}),
    log,
  });
  if (!suite.failover) return loaded;
  const { outDir } = loaded;
  let run = loaded.run;
  if (target.platform && !options.interrupt?.received) {
    const failover = await runChaos({
      experiment: gateFailoverExperiment(),
      platform: target.platform.platform,
      config: target.platform.config,
      outDir: join(outDir, 'failover'),
      command: options.command,
      seed: suiteOptions.seed,
      maxTokens: suiteOptions.maxTokens,
      ...(options.interrupt ? { interrupt: options.interrupt } : {}),
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      ...(options.driver ? { driver: options.driver } : {}),
      ...(options.serverMetrics ? { serverMetrics: options.serverMetrics } : {}),
      log: (m) => log(`failover: ${m}`),
    });
    run = mergeFailover(run, failover.run);
  } else if (!target.platform) {
    run = {
      ...run,
      notes: [
        ...run.notes,
        'failover part skipped: it needs --platform (faults are injected on a stack the run owns)',
      ],
    };
  } else {
    // Interrupted during the load parts: the failover part was never run, so the gate judged less than asked.
    run = {
      ...run,
      complete: false,
      verdict: run.verdict === 'pass' ? 'inconclusive' : run.verdict,
      notes: [...run.notes, 'failover part skipped: the gate was interrupted'],
    };
  }
  await writeReports(outDir, run);
  return { run, outDir };
}

function gateRunOptions(o: SuiteOptions): Record<string, unknown> {
  return { rate: o.rate, seed: o.seed, mix: o.endpointMix, maxTokens: o.maxTokens };
}
