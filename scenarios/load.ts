/**
 * load: the steady state. A warm-up at RATE (WARMUP, default 10s), then RATE requests a second for DURATION
 * (default 60s). SLO thresholds apply to the steady phase only.
 */
import type { Options } from 'k6/options';
import { type RunPlan, runIteration, type SetupData, setupRun } from './lib/k6/gauntlet-run.ts';
import { loadPromptPool } from './lib/k6/prompt-pool.ts';
import { arrivalScenarios, baseOptions, sloThresholds } from './lib/scenario-options.ts';
import { scenarioShape } from './lib/scenario-plans.ts';

const { config, phases } = scenarioShape('load', __ENV);
const plan: RunPlan = { scenario: 'load', config, phases, pool: loadPromptPool(config.prompts, __ENV) };

export const options: Options = {
  ...baseOptions(config),
  scenarios: arrivalScenarios(phases, config),
  thresholds: sloThresholds(config, { phases: ['steady'] }),
};

export function setup(): SetupData {
  return setupRun(plan);
}

export default function (data: SetupData): void {
  runIteration(plan, data);
}
