import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadClusterConfig } from '../../core/config/load-cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { exitCodes } from '../../core/exit-codes.js';
import type { PlatformName } from '../../core/platform/platform.js';
import { listenForInterrupt } from '../../core/process/interrupt.js';
import { modelledCapacityPerS } from '../../pipeline/capacity/modelled-capacity.js';
import { runCapacity } from '../../pipeline/capacity/run-capacity.js';
import { parseTopologies, type Topology } from '../../pipeline/capacity/topologies.js';
import { availablePlatformList, parsePlatformName, platformFor } from '../../platforms/platform-registry.js';
import type { CapacityResult } from '../../reports/capacity/capacity-result.js';
import { defaultSloFile, loadSloFile } from '../../reports/slo/load-slos.js';
import { keyValue, nonNegativeInt, parseDurationS, positiveNumber } from '../option-parsers.js';
import { type WorkloadFlags, withWorkloadFlags, workloadEnv } from '../workload-flags.js';
import { defaultMaxTokens, resolveMix } from './run-command.js';

interface CapacityFlags extends WorkloadFlags {
  platform?: PlatformName;
  config?: string;
  target?: string;
  apiKey?: string;
  nodes: number;
  gpusPerNode: number;
  topologies: string;
  slos?: string;
  mix?: string;
  maxTokens: number;
  seed: number;
  budget: number;
  resolution: number;
  peak?: number;
  maxRate?: number;
  rampDuration: number;
  warmup: number;
  minTrial: number;
  env?: Record<string, string>;
  out: string;
}

/** Scenario variables the search sets itself for every run: a user's --env must not fight it. */
const SEARCH_VARIABLES: Readonly<Record<string, string>> = {
  RATE: 'the search picks each rate',
  DURATION: 'each run is sized for its SLOs (--min-trial, --ramp-duration)',
  WARMUP: 'use --warmup',
  START_RATE: 'the ramp starts where the search puts it',
  MAX_RATE: 'use --max-rate',
};

/** The workload flags and --env as the scenario variables of every run, refusing the search's own. */
function scenarioEnv(flags: CapacityFlags): Record<string, string> {
  for (const name of Object.keys(flags.env ?? {})) {
    const why = SEARCH_VARIABLES[name];
    if (why) throw new UserFacingError(`--env ${name}: set by gauntlet capacity for each run (${why})`);
  }
  return { ...flags.env, ...workloadEnv(flags, flags.env) };
}

/** Prompt tokens the scenarios' built-in prompts average (scenarios/lib/prompts), for the ramp's ceiling. */
const TYPICAL_PROMPT_TOKENS = 64;
/** How long each component may take to come up in a capacity run (the platform default is 20 s). */
const CAPACITY_READY_TIMEOUT_MS = 60_000;
/** The ramp's top over the latency model's capacity: room for the model to be wrong on the low side. */
const RAMP_HEADROOM = 1.5;

export function registerCapacity(program: Command): void {
  withWorkloadFlags(program.command('capacity'))
    .description(
      'for each topology, the highest sustained rate at which every SLO passes with confidence: a ramp brackets it, constant-rate runs confirm it (a pass at R, a fail or inconclusive at the next step); capacity.json, capacity.md, capacity.html',
    )
    .option('--platform <name>', `bring each topology up here: ${availablePlatformList}`, parsePlatformName)
    .option(
      '--config <file>',
      'base cluster config for --topologies nodes=... (default: the built-in default)',
    )
    .option(
      '--topologies <list>',
      'nodes=1,2,4 (the base config with N worker nodes) or a comma-separated list of cluster config files',
      'nodes=1',
    )
    .option(
      '--target <url>',
      'measure a stack that is already up instead (one topology: --nodes, --gpus-per-node)',
    )
    .option('--api-key <key>', 'bearer key for --target')
    .option('--nodes <n>', 'worker nodes of the --target stack', positiveNumber('--nodes', 1024), 1)
    .option(
      '--gpus-per-node <n>',
      'GPUs per node of the --target stack',
      positiveNumber('--gpus-per-node', 64),
      2,
    )
    .option('--slos <file>', `SLO file (default: ${defaultSloFile()})`)
    .option('--mix <mix>', 'endpoint shares (default: as gauntlet run)')
    .option(
      '--max-tokens <n>',
      'output tokens a request',
      positiveNumber('--max-tokens', 131_072),
      defaultMaxTokens,
    )
    .option('--seed <n>', 'seed for prompts and request ids', nonNegativeInt('--seed', 4294967295), 1)
    .option(
      '--budget <d>',
      'wall time for the whole search, e.g. 20m; it is split over the topologies',
      parseDurationS,
      1200,
    )
    .option(
      '--resolution <pct>',
      'narrow each answer to this % of the rate (at least 1 req/s)',
      positiveNumber('--resolution', 100),
      5,
    )
    .option(
      '--peak <rps>',
      'answer "for P req/s: N nodes (headroom H %)"',
      positiveNumber('--peak', 1_000_000),
    )
    .option(
      '--max-rate <rps>',
      "top of each topology's ramp (default: 1.5x its latency model's capacity; with --target, 200)",
      positiveNumber('--max-rate', 1_000_000),
    )
    .option('--ramp-duration <d>', 'length of each ramp', parseDurationS, 40)
    .option('--warmup <d>', 'warm-up before each run', parseDurationS, 5)
    .option(
      '--min-trial <d>',
      'shortest main phase of a constant-rate run (longer when the SLOs need it)',
      parseDurationS,
      10,
    )
    .option(
      '--env <KEY=VALUE>',
      'scenario variable for every run (repeatable): prompt lengths, a PROMPTS dataset, ... (scenarios/README.md)',
      keyValue,
    )
    .requiredOption('--out <dir>', 'folder for capacity.json, capacity.md, capacity.html and each run')
    .action(async (flags: CapacityFlags) => {
      if (flags.platform && flags.target)
        throw new UserFacingError('give either --platform or --target, not both');
      const env = scenarioEnv(flags);
      // The ramp's ceiling comes from the latency model at the prompts' mean length.
      const promptTokens = Number(env.PROMPT_TOKENS_MEAN ?? TYPICAL_PROMPT_TOKENS) || TYPICAL_PROMPT_TOKENS;
      const log = (m: string) => process.stderr.write(`${m}\n`);
      const slos = loadSloFile(flags.slos ?? defaultSloFile());
      const topologies = flags.target ? targetTopology(flags) : await platformTopologies(flags);
      const mix = await resolveMix(flags.mix, topologies[0]?.target ?? {}, undefined, log);
      const interrupt = listenForInterrupt();
      try {
        const result = await runCapacity({
          topologies,
          targetLabel: flags.target ?? `platform ${flags.platform ?? 'local'}`,
          slos,
          mix,
          maxTokens: flags.maxTokens,
          scenarioEnv: env,
          seed: flags.seed,
          budgetS: flags.budget,
          resolutionPct: flags.resolution,
          rampMaxRate: (t) =>
            flags.maxRate ??
            (flags.target
              ? 200
              : RAMP_HEADROOM * modelledCapacityPerS(t.config, promptTokens, flags.maxTokens)),
          rampDurationS: flags.rampDuration,
          warmupS: flags.warmup,
          minTrialS: flags.minTrial,
          ...(flags.peak !== undefined ? { peak: flags.peak } : {}),
          outDir: resolve(flags.out),
          command: ['gauntlet', ...process.argv.slice(2)],
          interrupt,
          log,
        });
        process.stdout.write(`${capacitySummary(result, resolve(flags.out))}\n`);
        process.exitCode = interrupt.received
          ? exitCodes.interrupted
          : !result.complete
            ? exitCodes.error
            : result.topologies.every((t) => t.conclusive)
              ? exitCodes.pass
              : exitCodes.inconclusive;
      } finally {
        interrupt.dispose();
      }
    });
}

async function platformTopologies(flags: CapacityFlags) {
  const topologies = parseTopologies(flags.topologies, flags.config);
  const platform = await platformFor(flags.platform ?? 'local');
  return topologies.map((t) => ({
    ...t,
    // Many bring-ups in a row on a host that the load itself keeps busy: more time than a single run's.
    target: { platform: { platform, config: t.config, readyTimeoutMs: CAPACITY_READY_TIMEOUT_MS } },
  }));
}

function targetTopology(flags: CapacityFlags) {
  if (flags.config)
    throw new UserFacingError('--config describes stacks to bring up; it does not apply to --target');
  const nodes = Math.round(flags.nodes);
  const gpus = Math.round(flags.nodes * flags.gpusPerNode);
  const topology: Topology = {
    name: 'target',
    nodes,
    gpus,
    config: loadClusterConfig(),
  };
  const url = flags.target?.replace(/\/+$/, '') ?? '';
  return [{ ...topology, target: { url, ...(flags.apiKey ? { apiKey: flags.apiKey } : {}) } }];
}

/** The lines a person reads at the end: each topology's answer, the model's check, the headline, the files. */
export function capacitySummary(result: CapacityResult, outDir: string): string {
  const lines: string[] = [];
  for (const t of result.topologies)
    lines.push(
      `${t.name}: ${t.maxRate === null ? 'no max rate' : `max ${t.maxRate} req/s`}${t.conclusive ? '' : ' (NOT conclusive)'}: ${t.reason}`,
    );
  const v = result.model?.validation;
  if (v)
    lines.push(
      `model (a fit, not a measurement): ${result.model?.formula}; held-out ${v.heldOut}: predicted ${v.predicted}, measured ${v.measured} req/s (error ${v.errorPct} %)`,
    );
  if (result.headline) lines.push(result.headline.sentence);
  for (const g of result.search.gaveUp) lines.push(`gave up: ${g}`);
  lines.push(
    `${result.search.runs} runs in ${Math.round(result.search.usedS)} s; reports: ${outDir}/{capacity.json,capacity.md,capacity.html}`,
  );
  return lines.join('\n');
}
