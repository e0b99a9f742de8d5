import { join } from 'node:path';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import type { Platform } from '../../core/platform/platform.js';
import type { Interrupt } from '../../core/process/interrupt.js';
import { configChanges, environmentDifferences } from '../../reports/compare/environment-differences.js';
import { poolRuns } from '../../reports/compare/pool-runs.js';
import { abWords } from '../../reports/compare/render-repro.js';
import { type ReproVerdict, reproVerdict } from '../../reports/compare/repro-verdict.js';
import type { RunResult } from '../../reports/run-result.js';
import type { Slo } from '../../reports/slo/slo-schema.js';
import type { LoadDriver } from '../../runner/load/load-driver.js';
import type { RunPart } from '../pipeline-options.js';
import { executeRun } from '../run/execute-run.js';
import { writeReproReport } from './write-repro-report.js';

/** A segment shorter than this has too little of its main phase left to say anything (seconds). */
export const MIN_SEGMENT_S = 2;

export interface AbSide {
  name: 'a' | 'b';
  file: string;
  config: ClusterConfig;
}

export interface RunAbOptions {
  sides: [AbSide, AbSide];
  platform: Platform;
  part: RunPart;
  slos: readonly Slo[];
  slosSource: string;
  /** Runs of each side, alternating A, B, A, B, ...; 1: back to back. */
  interleave: number;
  tolerance: number;
  outDir: string;
  command: string[];
  interrupt?: Interrupt;
  progress?: boolean;
  driver?: LoadDriver;
  log?: (message: string) => void;
}

export interface AbResult {
  runs: Record<'a' | 'b', RunResult[]>;
  /** Undefined when interrupted before both sides ran. */
  verdict: ReproVerdict | undefined;
  /** What differs between A and B (their configs), then anything else that differs between the runs. */
  differences: string[];
  warnings: string[];
}

/** The main-phase length of one segment; refused up front when interleaving leaves too little of it. */
export function segmentDurationS(durationS: number, interleave: number): number {
  if (!Number.isInteger(interleave) || interleave < 1)
    throw new UserFacingError(`--interleave: must be a whole number >= 1 (got ${interleave})`);
  const each = durationS / interleave;
  if (each < MIN_SEGMENT_S)
    throw new UserFacingError(
      `--interleave ${interleave}: each run would get ${each.toFixed(2)} s of a ${durationS} s main phase; at least ${MIN_SEGMENT_S} s is needed (lengthen --duration or interleave less)`,
    );
  return each;
}

/**
 * The same scenario, seed and SLOs against two cluster configs on fresh stacks: A then B (back to back),
 * or A, B, A, B, ... `interleave` times, each with its share of the main phase, so that a drift of the
 * machine over time reaches both sides alike. Each side's runs are pooled and compared (reproVerdict:
 * does B differ significantly from A); ab.json and ab.md go to outDir, each run's reports to its folder.
 */
export async function runAb(options: RunAbOptions): Promise<AbResult> {
  const durationS = segmentDurationS(options.part.durationS, options.interleave);
  const runs: AbResult['runs'] = { a: [], b: [] };
  const log = options.log ?? (() => {});
  for (let round = 1; round <= options.interleave; round++) {
    for (const side of options.sides) {
      if (options.interrupt?.received) break;
      const folder = options.interleave === 1 ? side.name : `${side.name}-${round}`;
      log(
        `ab: ${side.name.toUpperCase()} (${side.file})${options.interleave > 1 ? `, run ${round} of ${options.interleave}` : ''}`,
      );
      const { run } = await executeRun({
        parts: [{ ...options.part, durationS }],
        target: { platform: { platform: options.platform, config: side.config } },
        slos: options.slos,
        slosSource: options.slosSource,
        outDir: join(options.outDir, folder),
        command: options.command,
        runOptions: { ...options.part, durationS, ab: side.name, config: side.file },
        ...(options.interrupt ? { interrupt: options.interrupt } : {}),
        ...(options.progress !== undefined ? { progress: options.progress } : {}),
        ...(options.driver ? { driver: options.driver } : {}),
        log,
      });
      runs[side.name].push(run);
    }
  }
  const [a, b] = options.sides;
  const differences = configChanges(a.config, b.config).map((c) => `B vs A: ${c}`);
  if (options.interrupt?.received || runs.a.length === 0 || runs.b.length === 0)
    return { runs, verdict: undefined, differences, warnings: [] };
  const pooledA = poolRuns(runs.a, 'A');
  const pooledB = poolRuns(runs.b, 'B');
  // The configs are meant to differ; every other difference between the runs is a warning.
  const warnings = environmentDifferences(pooledA, pooledB).filter(
    (w) => !w.startsWith('stack config differs'),
  );
  const verdict = reproVerdict(pooledA, pooledB, { tolerance: options.tolerance });
  await writeReproReport(options.outDir, 'ab', verdict, [...differences, ...warnings], abWords, {
    a: a.file,
    b: b.file,
    ...Object.fromEntries(
      [...runs.a, ...runs.b].map((r) => [r.runId, join(options.outDir, r.runId)] as const),
    ),
  });
  return { runs, verdict, differences, warnings };
}
