import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import type { PlatformName } from '../../core/platform/platform.js';
import type { CpuSplitPolicy } from '../../core/process/cpu-set.js';
import { listenForInterrupt } from '../../core/process/interrupt.js';
import { runGate } from '../../pipeline/gate/run-gate.js';
import { suites } from '../../pipeline/gate/suites.js';
import { availablePlatformList, parsePlatformName } from '../../platforms/platform-registry.js';
import { appendGithubStepSummary } from '../../reports/render/github-step-summary.js';
import { loadSloFile } from '../../reports/slo/load-slos.js';
import { type ClusterFlags, withClusterFlags } from '../cluster-flags.js';
import { withCpuSplitFlag } from '../cpu-split-flag.js';
import { nonNegativeInt, positiveNumber } from '../option-parsers.js';
import {
  type ServerMetricsFlags,
  serverMetricsSource,
  withServerMetricsFlags,
} from '../server-metrics-flags.js';
import { exitCodeFor, verdictSummary } from '../verdict-exit.js';
import { defaultEndpointMix, defaultMaxTokens, resolveMix, resolveTarget } from './run-command.js';

interface GateFlags extends ServerMetricsFlags, ClusterFlags {
  cpuSplit?: CpuSplitPolicy;
  platform?: PlatformName;
  config?: string;
  target?: string;
  apiKey?: string;
  suite: string;
  rate: number;
  seed: number;
  slos?: string;
  mix?: string;
  maxTokens: number;
  out: string;
  progress: boolean;
}

export function registerGate(program: Command): void {
  withClusterFlags(withCpuSplitFlag(withServerMetricsFlags(program.command('gate'))), { apiKey: false })
    .description(
      'run a release suite and write one combined report; exit 0 pass, 1 an SLO failed, 2 inconclusive, 3 error',
    )
    .option('--platform <name>', `bring a stack up here: ${availablePlatformList}`, parsePlatformName)
    .option('--config <file>', 'cluster config YAML for --platform')
    .option('--target <url>', 'gate a stack that is already up instead')
    .option('--api-key <key>', 'bearer key for --target, or for --platform cluster --attach')
    .option('--suite <name>', `one of ${Object.keys(suites).join(', ')}`, 'release')
    // 25 req/s: its 5x spike (125 req/s) stays inside the reference stack's modelled capacity for the
    // default prompts (~150 req/s), so the spike tests the queue, not an overload that never drains.
    .option('--rate <n>', 'the rated request rate per second', positiveNumber('--rate', 100_000), 25)
    .option('--seed <n>', 'seed for prompts and request ids', nonNegativeInt('--seed', 4294967295), 1)
    .option('--slos <file>', "SLO file (default: the suite's)")
    .option(
      '--mix <mix>',
      `endpoint shares (default: ${defaultEndpointMix}, or the OpenAI routes for a --target without /infer)`,
    )
    .option(
      '--max-tokens <n>',
      'output tokens a request',
      positiveNumber('--max-tokens', 131_072),
      defaultMaxTokens,
    )
    .option('--no-progress', 'no live progress on stderr')
    .requiredOption('--out <dir>', 'folder for the combined report')
    .action(async (flags: GateFlags) => {
      const suite = suites[flags.suite];
      if (!suite) {
        throw new UserFacingError(
          `--suite: unknown suite "${flags.suite}"; suites: ${Object.keys(suites).join(', ')}`,
        );
      }
      const target = await resolveTarget(flags);
      const serverMetrics = serverMetricsSource(flags);
      const slos = loadSloFile(flags.slos ?? suite.sloFile);
      const mix = await resolveMix(flags.mix, target, undefined, (m) => process.stderr.write(`${m}\n`));
      const interrupt = listenForInterrupt();
      try {
        const { run, outDir } = await runGate({
          suite,
          suiteOptions: {
            rate: flags.rate,
            seed: flags.seed,
            endpointMix: mix,
            maxTokens: flags.maxTokens,
            slos,
          },
          target,
          slos,
          outDir: resolve(flags.out),
          command: ['gauntlet', ...process.argv.slice(2)],
          interrupt,
          progress: flags.progress,
          serverMetrics,
          log: (m) => process.stderr.write(`${m}\n`),
        });
        // In GitHub Actions the verdict and SLO table show on the job page without opening an artifact.
        await appendGithubStepSummary(run);
        process.stdout.write(`${verdictSummary(run, outDir)}\n`);
        process.exitCode = interrupt.received ? 130 : exitCodeFor(run);
      } finally {
        interrupt.dispose();
      }
    });
}
