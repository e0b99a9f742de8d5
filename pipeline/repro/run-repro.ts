import type { Interrupt } from '../../core/process/interrupt.js';
import { environmentDifferences } from '../../reports/compare/environment-differences.js';
import { reproWords } from '../../reports/compare/render-repro.js';
import { type ReproVerdict, reproVerdict } from '../../reports/compare/repro-verdict.js';
import type { RunResult } from '../../reports/run-result.js';
import type { LoadDriver } from '../../runner/load/load-driver.js';
import type { RunTargetSpec } from '../pipeline-options.js';
import { executeRun } from '../run/execute-run.js';
import type { ReproSource } from './repro-source.js';
import { writeReproReport } from './write-repro-report.js';

export interface RunReproOptions {
  source: ReproSource;
  target: RunTargetSpec;
  outDir: string;
  command: string[];
  tolerance: number;
  interrupt?: Interrupt;
  progress?: boolean;
  driver?: LoadDriver;
  log?: (message: string) => void;
}

export interface ReproResult {
  rerun: RunResult;
  outDir: string;
  /** Undefined when the rerun was interrupted: nothing to decide. */
  verdict: ReproVerdict | undefined;
  warnings: string[];
}

/**
 * Runs the source's plan again (same parts, seeds, rates, mix, prompts, SLOs; the given target), then
 * decides whether it reproduced the original (reproVerdict) and writes repro.json and repro.md next to
 * the rerun's own reports.
 */
export async function runRepro(options: RunReproOptions): Promise<ReproResult> {
  const { source } = options;
  const { run: rerun, outDir } = await executeRun({
    parts: source.parts,
    target: options.target,
    slos: source.plan.slos,
    slosSource: source.plan.slosSource,
    outDir: options.outDir,
    command: options.command,
    runOptions: { ...source.run.config.run, reproOf: source.dir },
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
    ...(options.progress !== undefined ? { progress: options.progress } : {}),
    ...(options.driver ? { driver: options.driver } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const warnings = [...source.warnings, ...environmentDifferences(source.run, rerun)];
  if (options.interrupt?.received) return { rerun, outDir, verdict: undefined, warnings };
  const verdict = reproVerdict(source.run, rerun, { tolerance: options.tolerance });
  await writeReproReport(outDir, 'repro', verdict, warnings, reproWords, {
    original: source.dir,
    rerun: outDir,
  });
  return { rerun, outDir, verdict, warnings };
}
