/**
 * smoke: does the target answer at all, on every endpoint of the mix? A low rate (RATE, default 1) for a
 * short while (DURATION, default 10s), no warm-up, and no error tolerated.
 */
import type { Options } from 'k6/options';
import { type RunPlan, runIteration, type SetupData, setupRun } from './lib/k6/gauntlet-run.ts';
import { loadPromptPool } from './lib/k6/prompt-pool.ts';
import { arrivalScenarios, baseOptions, sloThresholds } from './lib/scenario-options.ts';
import { scenarioShape } from './lib/scenario-plans.ts';

const { config, phases } = scenarioShape('smoke', __ENV);
const plan: RunPlan = { scenario: 'smoke', config, phases, pool: loadPromptPool(config.prompts, __ENV) };

export const options: Options = {
  ...baseOptions(config),
  scenarios: arrivalScenarios(phases, config),
  thresholds: sloThresholds(config, { phases: [], noErrors: true }),
};

export function setup(): SetupData {
  return setupRun(plan);
}

export default function (data: SetupData): void {
  runIteration(plan, data);
}
