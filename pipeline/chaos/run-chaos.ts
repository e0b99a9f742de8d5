import type { Experiment } from '../../chaos/experiment/experiment-schema.js';
import type { ExperimentResult } from '../../chaos/run-experiment.js';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { Platform } from '../../core/platform/platform.js';
import type { Interrupt } from '../../core/process/interrupt.js';
import type { RunResult } from '../../reports/run-result.js';
import type { LoadDriver } from '../../runner/load/load-driver.js';
import { runPipeline } from '../run-pipeline.js';

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
  progress?: boolean;
  driver?: LoadDriver;
}

/**
 * `gauntlet chaos` and the gate's failover part: the pipeline with one fault part on a fresh stack (with
 * fault proxies when the experiment needs them). Whole-run SLOs would mix the fault's own window into the
 * steady state, so the experiment is judged by its steady state, its after-check and each fault's
 * expectations only.
 */
export async function runChaos(
  options: RunChaosOptions,
): Promise<{ run: RunResult; result: ExperimentResult | undefined }> {
  const { experiment, seed, maxTokens } = options;
  const { run, experiments } = await runPipeline({
    parts: [{ kind: 'faults', experiment, seed, maxTokens }],
    target: { platform: { platform: options.platform, config: options.config } },
    slos: [],
    outDir: options.outDir,
    command: options.command,
    runOptions: { experiment: experiment.id, seed, maxTokens },
    seed,
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
    ...(options.driver ? { driver: options.driver } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return { run, result: experiments[0] };
}
