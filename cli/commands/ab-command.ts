import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadClusterConfig } from '../../core/config/load-cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { exitCodes } from '../../core/exit-codes.js';
import type { PlatformName } from '../../core/platform/platform.js';
import { listenForInterrupt } from '../../core/process/interrupt.js';
import { runAb, segmentDurationS } from '../../pipeline/repro/run-ab.js';
import { availablePlatformList, parsePlatformName, platformFor } from '../../platforms/platform-registry.js';
import { abWords, reproSummary } from '../../reports/compare/render-repro.js';
import { defaultSloFile, loadSloFile } from '../../reports/slo/load-slos.js';
import { type ScenarioName, scenarioNames } from '../../runner/load/load-driver.js';
import { scenarioDefaults } from '../../scenarios/lib/scenario-plans.ts';
import { keyValue, nonNegativeInt, parseDurationS, positiveNumber } from '../option-parsers.js';
import { exitCodeForRepro } from '../repro-exit.js';
import { defaultDurationS, defaultEndpointMix, defaultMaxTokens } from './run-command.js';

interface AbFlags {
  config: string[];
  platform: PlatformName;
  rps?: number;
  duration?: number;
  seed: number;
  slos?: string;
  mix?: string;
  maxTokens: number;
  env?: Record<string, string>;
  interleave: number;
  tolerance: number;
  out: string;
  progress: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseScenario(value: string): ScenarioName {
  if (!(scenarioNames as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${scenarioNames.join(', ')}`);
  return value as ScenarioName;
}

export function registerAb(program: Command): void {
  program
    .command('ab')
    .description(
      'the same scenario and seed against two cluster configs (A, then B; or alternating with --interleave), compared with significance: exit 0 B does not differ, 1 B differs, 2 inconclusive',
    )
    .argument('<scenario>', `one of ${scenarioNames.join(', ')}`, parseScenario)
    .requiredOption('--config <file>', 'cluster config YAML; give it twice: A, then B', collect)
    .option(
      '--platform <name>',
      `where to bring each stack up: ${availablePlatformList}`,
      parsePlatformName,
      'local',
    )
    .option(
      '--rps <n>',
      "base request rate per second (default: the scenario's)",
      positiveNumber('--rps', 100_000),
    )
    .option(
      '--duration <d>',
      "main phase of each side, e.g. 30s (default: the scenario's, sized for the SLOs)",
      parseDurationS,
    )
    .option(
      '--seed <n>',
      'seed for prompts and request ids, the same on both sides',
      nonNegativeInt('--seed', 4294967295),
      1,
    )
    .option('--slos <file>', `SLO file (default: ${defaultSloFile()})`)
    .option('--mix <mix>', `endpoint shares (default: ${defaultEndpointMix})`)
    .option(
      '--max-tokens <n>',
      'output tokens a request',
      positiveNumber('--max-tokens', 131_072),
      defaultMaxTokens,
    )
    .option('--env <KEY=VALUE>', 'extra scenario variable (repeatable), see scenarios/README.md', keyValue)
    .option(
      '--interleave <n>',
      'alternate A and B n times, each run with 1/n of the main phase; 1: back to back',
      nonNegativeInt('--interleave', 100),
      1,
    )
    .option(
      '--tolerance <fraction>',
      'relative change that still counts as no difference',
      positiveNumber('--tolerance', 10),
      0.1,
    )
    .requiredOption('--out <dir>', 'folder for each run (a/, b/ or a-1/, b-1/, ...) and ab.json / ab.md')
    .option('--no-progress', 'no live progress on stderr')
    .action(async (scenario: ScenarioName, flags: AbFlags) => {
      if (flags.config.length !== 2)
        throw new UserFacingError(`--config: give exactly two (A and B); got ${flags.config.length}`);
      const [fileA = '', fileB = ''] = flags.config;
      const sides = [
        { name: 'a', file: resolve(fileA), config: loadClusterConfig(fileA) },
        { name: 'b', file: resolve(fileB), config: loadClusterConfig(fileB) },
      ] as const;
      const slos = loadSloFile(flags.slos ?? defaultSloFile());
      const mix = flags.mix ?? defaultEndpointMix;
      const rate = flags.rps ?? scenarioDefaults[scenario].rate;
      const durationS = flags.duration ?? defaultDurationS(scenario, rate, slos, mix, flags.env).durationS;
      segmentDurationS(durationS, flags.interleave);
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const interrupt = listenForInterrupt();
      try {
        const result = await runAb({
          sides: [{ ...sides[0] }, { ...sides[1] }],
          platform: await platformFor(flags.platform),
          part: {
            scenario,
            rate,
            durationS,
            seed: flags.seed,
            endpointMix: mix,
            maxTokens: flags.maxTokens,
            ...(flags.env ? { env: flags.env } : {}),
          },
          slos,
          slosSource: flags.slos ?? 'default',
          interleave: flags.interleave,
          tolerance: flags.tolerance,
          outDir: resolve(flags.out),
          command: ['gauntlet', ...process.argv.slice(2)],
          interrupt,
          progress: flags.progress,
          log,
        });
        if (!result.verdict) {
          process.stdout.write('ab: interrupted; nothing decided\n');
          process.exitCode = exitCodes.interrupted;
          return;
        }
        process.stdout.write(
          `${reproSummary(result.verdict, [...result.differences, ...result.warnings], abWords)}\n`,
        );
        process.stdout.write(`comparison: ${resolve(flags.out)}/{ab.json,ab.md}\n`);
        process.exitCode = exitCodeForRepro(result.verdict.outcome);
      } finally {
        interrupt.dispose();
      }
    });
}
