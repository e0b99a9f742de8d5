import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadClusterConfig } from '../../core/config/load-cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { exitCodes } from '../../core/exit-codes.js';
import type { PlatformName } from '../../core/platform/platform.js';
import { listenForInterrupt } from '../../core/process/interrupt.js';
import type { RunTargetSpec } from '../../pipeline/pipeline-options.js';
import { clusterConfigOf, loadReproSource, type ReproSource } from '../../pipeline/repro/repro-source.js';
import { runRepro } from '../../pipeline/repro/run-repro.js';
import {
  availablePlatformList,
  parsePlatformName,
  platformFor,
  platformNames,
} from '../../platforms/platform-registry.js';
import { reproSummary, reproWords } from '../../reports/compare/render-repro.js';
import { positiveNumber } from '../option-parsers.js';
import { exitCodeForRepro } from '../repro-exit.js';
import { verdictSummary } from '../verdict-exit.js';
import { registerAb } from './ab-command.js';

interface ReproFlags {
  platform?: PlatformName;
  config?: string;
  target?: string;
  apiKey?: string;
  tolerance: number;
  out?: string;
  progress: boolean;
}

/** `gauntlet repro` and its sibling `gauntlet ab` (one registration, so main.ts has one line for both). */
export function registerRepro(program: Command): void {
  program
    .command('repro')
    .description(
      'rerun what a run folder recorded (plan, seed, rates, mix, prompts, SLOs, cluster config) and say whether it reproduced: exit 0 reproduced, 1 not reproduced, 2 inconclusive',
    )
    .argument('<run-dir>', 'the folder a run wrote (its run.json)')
    .option(
      '--platform <name>',
      `bring the stack up here (default: the original run's): ${availablePlatformList}`,
      parsePlatformName,
    )
    .option(
      '--config <file>',
      "cluster config for the rerun instead of the original run's (e.g. to test a fix)",
    )
    .option('--target <url>', 'rerun against a stack that is already up instead')
    .option('--api-key <key>', 'bearer key for --target')
    .option(
      '--tolerance <fraction>',
      'relative change that still counts as the same',
      positiveNumber('--tolerance', 10),
      0.1,
    )
    .option('--out <dir>', 'folder for the rerun and repro.json / repro.md (default: RUN_DIR/repro)')
    .option('--no-progress', 'no live progress on stderr')
    .action(async (runDir: string, flags: ReproFlags) => {
      const source = await loadReproSource(resolve(runDir));
      const target = await rerunTarget(source, flags);
      const log = (m: string) => process.stderr.write(`${m}\n`);
      for (const warning of source.warnings) log(`warning: ${warning}`);
      const interrupt = listenForInterrupt();
      try {
        const result = await runRepro({
          source,
          target,
          outDir: resolve(flags.out ?? `${runDir}/repro`),
          command: ['gauntlet', ...process.argv.slice(2)],
          tolerance: flags.tolerance,
          interrupt,
          progress: flags.progress,
          log,
        });
        process.stdout.write(`${verdictSummary(result.rerun, result.outDir)}\n`);
        if (!result.verdict) {
          process.stdout.write('repro: interrupted; nothing decided\n');
          process.exitCode = exitCodes.interrupted;
          return;
        }
        process.stdout.write(`${reproSummary(result.verdict, result.warnings, reproWords)}\n`);
        process.stdout.write(`comparison: ${result.outDir}/{repro.json,repro.md}\n`);
        process.exitCode = exitCodeForRepro(result.verdict.outcome);
      } finally {
        interrupt.dispose();
      }
    });
  registerAb(program);
}

/** Where the rerun goes: --target, --platform, or the original run's platform, with its recorded config. */
export async function rerunTarget(
  source: ReproSource,
  flags: Omit<ReproFlags, 'tolerance' | 'progress'>,
): Promise<RunTargetSpec> {
  if (flags.platform && flags.target)
    throw new UserFacingError('give either --platform or --target, not both');
  if (flags.target) {
    if (flags.config)
      throw new UserFacingError('--config describes a stack to bring up; it does not apply to --target');
    return { url: flags.target.replace(/\/+$/, ''), ...(flags.apiKey ? { apiKey: flags.apiKey } : {}) };
  }
  const original = source.run.target;
  let name = flags.platform;
  if (!name) {
    if (original.kind === 'url')
      throw new UserFacingError(
        `${source.file}: target: the original run loaded ${original.url}, a stack Gauntlet did not bring up; give --target URL (and --api-key) to rerun against it, or --platform to bring one up`,
      );
    if (!(platformNames as readonly string[]).includes(original.platform))
      throw new UserFacingError(
        `${source.file}: target.platform: '${original.platform}' is not a platform of this Gauntlet (${platformNames.join(', ')}); give --platform`,
      );
    name = original.platform as PlatformName;
  }
  const config = flags.config ? loadClusterConfig(flags.config) : clusterConfigOf(source);
  return { platform: { platform: await platformFor(name), config } };
}
