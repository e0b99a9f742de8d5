import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadClusterConfig } from '../../core/config/load-cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import type { PlatformName } from '../../core/platform/platform.js';
import type { CpuSplitPolicy } from '../../core/process/cpu-set.js';
import { listenForInterrupt } from '../../core/process/interrupt.js';
import type { RunTargetSpec } from '../../pipeline/pipeline-options.js';
import { executeRun } from '../../pipeline/run/execute-run.js';
import { availablePlatformList, parsePlatformName, platformFor } from '../../platforms/platform-registry.js';
import { defaultSloFile, loadSloFile } from '../../reports/slo/load-slos.js';
import { parseMixShares } from '../../reports/slo/sample-sizing.js';
import type { Slo } from '../../reports/slo/slo-schema.js';
import { isLoopbackUrl } from '../../runner/load/k6-load-driver.js';
import { runnableScenarios, type ScenarioName } from '../../runner/load/load-driver.js';
import { mainPhase, sizePhase } from '../../runner/load/plan-sizing.js';
import { servesInfer } from '../../runner/probe/serves-infer.js';
import { scenarioDefaults } from '../../scenarios/lib/scenario-plans.ts';
import { type ClusterFlags, platformOptionsOf, withClusterFlags } from '../cluster-flags.js';
import { withCpuSplitFlag } from '../cpu-split-flag.js';
import { keyValue, nonNegativeInt, parseDurationS, positiveNumber } from '../option-parsers.js';
import { type ReplayFlags, replayFromFlags, withReplayFlags } from '../replay-flags.js';
import {
  type ServerMetricsFlags,
  serverMetricsSource,
  withServerMetricsFlags,
} from '../server-metrics-flags.js';
import { exitCodeFor, verdictSummary } from '../verdict-exit.js';
import { type WorkloadFlags, withWorkloadFlags, workloadEnv, workloadRecord } from '../workload-flags.js';

/** The default mix exercises both SLO'd paths: the seed's /infer and streamed chat. */
export const defaultEndpointMix = 'infer:0.5,chat_stream:0.5';
/** A --target without /infer (any OpenAI-compatible server): the OpenAI routes, streamed. */
export const openAiEndpointMix = 'chat_stream:0.5,completions:0.5';

/**
 * The mix when none is given: the reference one, unless a --target does not serve /infer (asked once,
 * before the run), when the OpenAI routes that every compatible server has.
 */
export async function resolveMix(
  mix: string | undefined,
  target: RunTargetSpec,
  env: Readonly<Record<string, string>> | undefined,
  log: (m: string) => void,
): Promise<string> {
  if (mix !== undefined) return mix;
  const url = target.url;
  if (!url) return defaultEndpointMix;
  const allowed = isLoopbackUrl(url) || /^(1|true|yes|on)$/i.test(env?.GAUNTLET_ALLOW_NON_LOOPBACK ?? '');
  if (allowed && (await servesInfer(url, target.apiKey))) return defaultEndpointMix;
  log(`${url} does not serve /infer: using the OpenAI routes (--mix ${openAiEndpointMix})`);
  return openAiEndpointMix;
}

/**
 * A scenario's main-phase length when --duration is not given: its default, lengthened until every SLO can
 * be decided on a healthy target at this rate and mix (runner/load/plan-sizing.ts). Smoke (a wiring check)
 * and breakpoint (a ramp to failure) keep their own lengths.
 */
export function defaultDurationS(
  scenario: ScenarioName,
  rate: number,
  slos: readonly Slo[],
  mix: string,
  env: Readonly<Record<string, string>> = {},
): { durationS: number; drivenBy?: { id: string; requests: number } } {
  const given = scenarioDefaults[scenario].durationS;
  if (scenario === 'smoke' || scenario === 'breakpoint') return { durationS: given };
  const shapeEnv = { RATE: String(rate), DURATION: `${given}s`, ...env };
  return sizePhase(scenario, shapeEnv, mainPhase[scenario], slos, parseMixShares(mix));
}
export const defaultMaxTokens = 8;

interface RunFlags extends ServerMetricsFlags, WorkloadFlags, ReplayFlags, ClusterFlags {
  cpuSplit?: CpuSplitPolicy;
  platform?: PlatformName;
  config?: string;
  target?: string;
  apiKey?: string;
  rps?: number;
  duration?: number;
  seed: number;
  slos?: string;
  mix?: string;
  maxTokens: number;
  out: string;
  env?: Record<string, string>;
  progress: boolean;
}

function parseScenario(value: string): ScenarioName {
  if (!(runnableScenarios as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${runnableScenarios.join(', ')}`);
  }
  return value as ScenarioName;
}

export function registerRun(program: Command): void {
  withClusterFlags(
    withCpuSplitFlag(withReplayFlags(withWorkloadFlags(withServerMetricsFlags(program.command('run'))))),
    { apiKey: false },
  )
    .description(
      'run a k6 scenario against a stack, judge the SLOs, write run.json, junit.xml, summary.md, report.html',
    )
    .argument('<scenario>', `one of ${runnableScenarios.join(', ')}`, parseScenario)
    .option(
      '--platform <name>',
      `bring a stack up here for the run: ${availablePlatformList}`,
      parsePlatformName,
    )
    .option('--config <file>', 'cluster config YAML for --platform')
    .option('--target <url>', 'load a stack that is already up instead (any OpenAI-compatible endpoint)')
    .option('--api-key <key>', 'bearer key for --target, or for --platform cluster --attach')
    .option(
      '--rps <n>',
      "base request rate per second (default: the scenario's)",
      positiveNumber('--rps', 100_000),
    )
    .option(
      '--duration <d>',
      "main phase duration, e.g. 30s, 2m (default: the scenario's); replay: fire only the trace's first D",
      parseDurationS,
    )
    .option(
      '--seed <n>',
      'seed for prompts and request ids (same seed, same requests)',
      nonNegativeInt('--seed', 4294967295),
      1,
    )
    .option('--slos <file>', `SLO file (default: ${defaultSloFile()})`)
    .option(
      '--mix <mix>',
      `endpoint shares (default: ${defaultEndpointMix}; with a --target that has no /infer: ${openAiEndpointMix})`,
    )
    .option(
      '--max-tokens <n>',
      'output tokens a request',
      positiveNumber('--max-tokens', 131_072),
      defaultMaxTokens,
    )
    .option('--env <KEY=VALUE>', 'extra scenario variable (repeatable), see scenarios/README.md', keyValue)
    .option('--no-progress', 'no live progress on stderr')
    .requiredOption('--out <dir>', 'folder for the reports')
    .action(async (scenario: ScenarioName, flags: RunFlags) => {
      const workloadVars = workloadEnv(flags, flags.env);
      const env = { ...flags.env, ...workloadVars };
      const target = await resolveTarget(flags);
      const serverMetrics = serverMetricsSource(flags);
      const slos = loadSloFile(flags.slos ?? defaultSloFile());
      const defaults = scenarioDefaults[scenario];
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const runDir = resolve(flags.out);
      // A bad trace is refused here, before a stack comes up.
      const replay = replayFromFlags(scenario, flags, runDir);
      if (replay && flags.rps !== undefined) {
        throw new UserFacingError("--rps: a replay runs at the trace's own rate; scale it with --speedup");
      }
      if (replay) for (const note of replay.notes) log(`replay: ${note}`);
      const mix = await resolveMix(flags.mix, target, env, log);
      const rate = replay?.rate ?? flags.rps ?? defaults.rate;
      let durationS = replay?.durationS ?? flags.duration;
      if (durationS === undefined) {
        const sized = defaultDurationS(scenario, rate, slos, mix, env);
        durationS = sized.durationS;
        if (sized.drivenBy) {
          log(
            `${scenario}: main phase ${durationS} s, so that ${sized.drivenBy.id} gets its samples (${sized.drivenBy.requests} requests at ${rate} req/s; --duration overrides)`,
          );
        }
      }
      const part = {
        scenario,
        rate,
        durationS,
        seed: flags.seed,
        endpointMix: mix,
        maxTokens: flags.maxTokens,
        ...(Object.keys(env).length > 0 || replay ? { env: { ...env, ...replay?.env } } : {}),
      };
      const interrupt = listenForInterrupt();
      try {
        const { run, outDir } = await executeRun({
          parts: [part],
          target,
          slos,
          slosSource: flags.slos ?? 'default',
          outDir: runDir,
          command: ['gauntlet', ...process.argv.slice(2)],
          runOptions: {
            ...part,
            slos: flags.slos ?? 'default',
            workload: workloadRecord(env),
            ...(replay
              ? { replay: { trace: flags.trace, speedup: flags.speedup ?? 1, notes: replay.notes } }
              : {}),
          },
          interrupt,
          progress: flags.progress,
          serverMetrics,
          log,
        });
        process.stdout.write(`${verdictSummary(run, outDir)}\n`);
        process.exitCode = interrupt.received ? 130 : exitCodeFor(run);
      } finally {
        interrupt.dispose();
      }
    });
}

export async function resolveTarget(
  flags: ClusterFlags & {
    platform?: PlatformName;
    config?: string;
    target?: string;
    apiKey?: string;
    cpuSplit?: CpuSplitPolicy;
  },
): Promise<RunTargetSpec> {
  if (flags.platform && flags.target)
    throw new UserFacingError('give either --platform or --target, not both');
  if (flags.target) {
    if (flags.config)
      throw new UserFacingError('--config describes a stack to bring up; it does not apply to --target');
    if (flags.cpuSplit)
      throw new UserFacingError(
        "--cpu-split places a stack the run brings up; a --target's processes are not Gauntlet's",
      );
    platformOptionsOf('local', flags); // the cluster flags need --platform cluster
    return { url: flags.target.replace(/\/+$/, ''), ...(flags.apiKey ? { apiKey: flags.apiKey } : {}) };
  }
  const platform = flags.platform ?? 'local';
  return {
    platform: {
      platform: await platformFor(platform, platformOptionsOf(platform, flags)),
      config: loadClusterConfig(flags.config),
      ...(flags.cpuSplit ? { cpuSplit: flags.cpuSplit } : {}),
    },
  };
}
