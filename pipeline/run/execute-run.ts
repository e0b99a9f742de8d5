import type { Interrupt } from '../../core/process/interrupt.js';
import type { RunResult } from '../../reports/run-result.js';
import type { Slo } from '../../reports/slo/slo-schema.js';
import type { LoadDriver } from '../../runner/load/load-driver.js';
import type { RunPart, RunTargetSpec, ServerMetricsSource } from '../pipeline-options.js';
import { runPipeline } from '../run-pipeline.js';

export type { RunPart, RunTargetSpec } from '../pipeline-options.js';

export interface ExecuteRunOptions {
  parts: RunPart[];
  target: RunTargetSpec;
  slos: readonly Slo[];
  slosSource?: string;
  outDir: string;
  command: string[];
  runOptions: Record<string, unknown>;
  interrupt?: Interrupt;
  progress?: boolean;
  driver?: LoadDriver;
  serverMetrics?: ServerMetricsSource;
  log?: (message: string) => void;
}

export interface ExecuteRunResult {
  run: RunResult;
  outDir: string;
}

/** `gauntlet run` and the gate's load parts: the pipeline with load parts only, judged by the SLO file. */
export async function executeRun(options: ExecuteRunOptions): Promise<ExecuteRunResult> {
  const { parts, ...rest } = options;
  const { run, outDir } = await runPipeline({
    ...rest,
    parts: parts.map((load) => ({ kind: 'load', load })),
  });
  return { run, outDir };
}
