import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type ClusterConfig,
  clusterConfigSchema,
  resolveTopology,
} from '../../core/config/cluster-config.js';
import { ConfigError } from '../../core/config/config-error.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { ENDPOINTS } from '../../reports/model/kinds.js';
import { readRunJson } from '../../reports/render/write-reports.js';
import type { PlannedLoadPart, RunPlan } from '../../reports/run-plan.js';
import type { RunResult } from '../../reports/run-result.js';
import { type ScenarioName, scenarioNames } from '../../runner/load/load-driver.js';
import type { RunPart } from '../pipeline-options.js';
import { sha256Of } from '../steps/run-plan.js';

/** A run folder read back for a rerun: its run.json, the plan in it, and the load parts to run again. */
export interface ReproSource {
  dir: string;
  file: string;
  run: RunResult;
  plan: RunPlan;
  parts: RunPart[];
  /** What cannot be made the same again (a prompt file that changed since). */
  warnings: string[];
}

/**
 * Reads RUN_DIR/run.json and checks it holds everything a rerun needs; each mistake is a UserFacingError
 * or ConfigError naming the file and the field.
 */
export async function loadReproSource(dir: string): Promise<ReproSource> {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UserFacingError(`${dir}: no such folder; repro takes the folder a run wrote (its --out)`);
  const file = join(dir, 'run.json');
  if (!existsSync(file))
    throw new UserFacingError(
      `${file}: not found; repro reruns what a run folder's run.json recorded (give the --out folder of gauntlet run)`,
    );
  const run = await readRunJson(file);
  const plan = run.plan;
  if (!plan) {
    throw new UserFacingError(
      `${file}: plan: missing. This run.json (Gauntlet ${run.versions.gauntlet}, ${run.startedAt}) was written before runs recorded their plan, so it lacks what a rerun needs: plan.parts (each load's scenario, rate, duration, seed, mix and prompts) and plan.slos (the SLO definitions as judged). Rerun it by hand: ${run.command.join(' ')}`,
    );
  }
  if (run.collection.samples === 0)
    throw new UserFacingError(
      `${file}: collection.samples: 0; the original run measured nothing${run.notes[0] ? ` (${run.notes[0]})` : ''}, so there is nothing to reproduce`,
    );
  if (plan.parts.length === 0)
    throw new UserFacingError(`${file}: plan.parts: empty; there is nothing to rerun`);
  const warnings: string[] = [];
  const parts = plan.parts.map((part, index) => {
    const field = `plan.parts[${index}]`;
    if (part.kind === 'faults')
      throw new UserFacingError(
        `${file}: ${field}: chaos experiment ${part.experiment}: repro reruns load runs (gauntlet run); rerun an experiment with gauntlet chaos ${part.experiment}`,
      );
    warnings.push(...promptWarnings(part, `${file}: ${field}.prompts`));
    return runPartOf(part, file, field);
  });
  if ((run.faults ?? []).length > 0)
    throw new UserFacingError(`${file}: faults: this run injected faults; repro reruns load runs only`);
  return { dir, file, run, plan, parts, warnings };
}

function runPartOf(part: PlannedLoadPart, file: string, field: string): RunPart {
  if (!(scenarioNames as readonly string[]).includes(part.scenario))
    throw new UserFacingError(
      `${file}: ${field}.scenario: '${part.scenario}' is not a scenario of this Gauntlet (${scenarioNames.join(', ')})`,
    );
  let endpointMix: RunPart['endpointMix'] = part.endpointMix as string;
  if (typeof part.endpointMix !== 'string') {
    const unknown = Object.keys(part.endpointMix).filter(
      (e) => !(ENDPOINTS as readonly string[]).includes(e),
    );
    if (unknown.length > 0)
      throw new UserFacingError(
        `${file}: ${field}.endpointMix: unknown endpoint(s) ${unknown.join(', ')} (allowed: ${ENDPOINTS.join(', ')})`,
      );
    endpointMix = part.endpointMix as Exclude<RunPart['endpointMix'], string>;
  }
  return {
    scenario: part.scenario as ScenarioName,
    rate: part.rate,
    durationS: part.durationS,
    seed: part.seed,
    endpointMix,
    maxTokens: part.maxTokens,
    ...(part.env ? { env: part.env } : {}),
  };
}

function promptWarnings(part: PlannedLoadPart, where: string): string[] {
  if (part.prompts.kind !== 'file') return [];
  const now = sha256Of(part.prompts.path);
  if (now === null)
    throw new UserFacingError(
      `${where}: the prompt file ${part.prompts.path} cannot be read; the rerun needs it`,
    );
  if (part.prompts.sha256 !== null && now !== part.prompts.sha256)
    return [
      `prompt file ${part.prompts.path} changed since the original run (sha256 differs): other prompts`,
    ];
  return [];
}

/** The original run's cluster config from run.json, validated as a config file would be. */
export function clusterConfigOf(source: ReproSource): ClusterConfig {
  const stored = source.run.config.cluster;
  if (stored === null)
    throw new UserFacingError(
      `${source.file}: config.cluster: null (the original run loaded a --target, whose config Gauntlet does not know); give --config FILE for the stack to bring up, or --target URL`,
    );
  const parsed = clusterConfigSchema.safeParse(stored);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.slice(0, 10).map((issue) => ({
        file: source.file,
        field: ['config.cluster', ...issue.path.map(String)].join('.'),
        message: `${issue.message} (this Gauntlet cannot bring up the recorded stack; give --config FILE)`,
      })),
    );
  return resolveTopology(parsed.data);
}
