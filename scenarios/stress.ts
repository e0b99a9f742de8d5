/**
 * stress: beyond the planned load. Warm-up at RATE, a ramp to STRESS_FACTOR x RATE (default 2x) over RAMP
 * (default 30s), a hold there for DURATION (default 60s), and a recovery at RATE (RECOVERY, default 30s).
 * SLOs are checked while at peak and after it.
 */
import type { Options } from 'k6/options';
import { type RunPlan, runIteration, type SetupData, setupRun } from './lib/k6/gauntlet-run.ts';
import { loadPromptPool } from './lib/k6/prompt-pool.ts';
import { arrivalScenarios, baseOptions, sloThresholds } from './lib/scenario-options.ts';
import { scenarioShape } from './lib/scenario-plans.ts';

const { config, phases } = scenarioShape('stress', __ENV);
const plan: RunPlan = { scenario: 'stress', config, phases, pool: loadPromptPool(config.prompts, __ENV) };

export const options: Options = {
  ...baseOptions(config),
  scenarios: arrivalScenarios(phases, config),
  thresholds: sloThresholds(config, { phases: ['peak', 'recovery'] }),
};

export function setup(): SetupData {
  return setupRun(plan);
}

export default function (data: SetupData): void {
  runIteration(plan, data);
}
