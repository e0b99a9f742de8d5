import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { budgetIssues } from '../../chaos/experiment/blast-budget.js';
import { assertCapabilities } from '../../chaos/experiment/check-capabilities.js';
import { describePlan } from '../../chaos/experiment/describe-plan.js';
import type { Experiment } from '../../chaos/experiment/experiment-schema.js';
import { faultReach } from '../../chaos/experiment/fault-reach.js';
import { loadExperiment } from '../../chaos/experiment/load-experiment.js';
import { type Topology, topologyOfPlan } from '../../chaos/experiment/topology.js';
import { referenceMaxTokens } from '../../chaos/experiments/reference-steady-state.js';
import { shippedExperiments } from '../../chaos/experiments/shipped-experiments.js';
import { loadClusterConfig } from '../../core/config/load-cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { exitCodes } from '../../core/exit-codes.js';
import type { PlatformName } from '../../core/platform/platform.js';
import { listenForInterrupt } from '../../core/process/interrupt.js';
import { runChaos } from '../../pipeline/chaos/run-chaos.js';
import { availablePlatformList, parsePlatformName, platformFor } from '../../platforms/platform-registry.js';
import { type ClusterFlags, platformOptionsOf, withClusterFlags } from '../cluster-flags.js';
import { nonNegativeInt, positiveNumber } from '../option-parsers.js';
import {
  type ServerMetricsFlags,
  serverMetricsSource,
  withServerMetricsFlags,
} from '../server-metrics-flags.js';
import { exitCodeFor, verdictSummary } from '../verdict-exit.js';

interface ChaosFlags extends ServerMetricsFlags, ClusterFlags {
  platform: PlatformName;
  config?: string;
  out?: string;
  dryRun?: boolean;
  seed: number;
  maxTokens: number;
}

/** A shipped experiment by id, or an experiment YAML file (its targets checked against the topology). */
export function findExperiment(nameOrFile: string, topology: Topology): Experiment {
  const shipped = shippedExperiments.find((e) => e.id === nameOrFile);
  if (shipped) return shipped;
  if (existsSync(nameOrFile)) return loadExperiment(nameOrFile, topology);
  throw new UserFacingError(
    `no experiment "${nameOrFile}": give a file or one of ${shippedExperiments.map((e) => e.id).join(', ')}`,
  );
}

export function registerChaos(program: Command): void {
  withClusterFlags(withServerMetricsFlags(program.command('chaos')), { apiKey: true })
    .description(
      'run a chaos experiment under load and judge each fault (detection, recovery, failed requests)',
    )
    .argument('<experiment>', 'a shipped experiment id (see chaos/experiments/README.md) or a YAML file')
    .option('--platform <name>', `where to run it: ${availablePlatformList}`, parsePlatformName, 'local')
    .option('--config <file>', 'cluster config YAML (default: the reference stack)')
    .option('--dry-run', 'print the plan and touch nothing')
    .option('--seed <n>', 'seed for prompts and request ids', nonNegativeInt('--seed', 4294967295), 1)
    .option(
      '--max-tokens <n>',
      'output tokens a request, as the release gate sends',
      positiveNumber('--max-tokens', 131_072),
      referenceMaxTokens,
    )
    .option('--out <dir>', 'folder for the reports (required unless --dry-run)')
    .action(async (name: string, flags: ChaosFlags) => {
      const config = loadClusterConfig(flags.config);
      const platform = await platformFor(flags.platform, platformOptionsOf(flags.platform, flags));
      const topology = topologyOfPlan(platform.plan(config));
      const experiment = findExperiment(name, topology);
      assertCapabilities(experiment, platform);
      if (flags.dryRun) {
        // On an existing cluster the dry run also says what the interlock would refuse, and why.
        const budget = platform.blastBudget ? await platform.blastBudget() : undefined;
        const refusals = budget ? budgetIssues(experiment, topology, budget) : [];
        const interlock = budget
          ? refusals.length === 0
            ? `Interlock: within the blast budget of ${budget.source}`
            : `Interlock: REFUSED by the blast budget of ${budget.source}:\n${refusals.map((r) => `  ${r.path.join('.')}: ${r.message}`).join('\n')}`
          : '';
        // ... and, in the cluster's own names, what the run would create and what its faults may act on.
        const reach = platform.describeReach
          ? await platform.describeReach(config, faultReach(experiment, topology))
          : [];
        const extra = [...reach, ...(interlock ? [interlock] : [])].map((line) => `${line}\n`).join('');
        process.stdout.write(`${describePlan(experiment, topology)}\n${extra}`);
        // A refused plan is an error as a real run would be: a CI step gating on the dry run sees it.
        if (refusals.length > 0) process.exitCode = exitCodes.error;
        return;
      }
      if (!flags.out)
        throw new UserFacingError('--out is required (the folder for the reports), unless --dry-run');
      const interrupt = listenForInterrupt();
      try {
        const outDir = resolve(flags.out);
        const { run } = await runChaos({
          serverMetrics: serverMetricsSource(flags),
          experiment,
          platform,
          config,
          outDir,
          command: ['gauntlet', ...process.argv.slice(2)],
          seed: flags.seed,
          maxTokens: flags.maxTokens,
          interrupt,
          log: (m) => process.stderr.write(`${m}\n`),
        });
        process.stdout.write(`${verdictSummary(run, outDir)}\n`);
        process.exitCode = interrupt.received ? 130 : exitCodeFor(run);
      } finally {
        interrupt.dispose();
      }
    });
}
