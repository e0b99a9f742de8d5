/**
 * soak: the steady state for long (DURATION, default 1h), to find leaks, drift and slow degradation.
 * Warm-up at RATE first; SLOs on the whole steady phase.
 */
import type { Options } from 'k6/options';
import { type RunPlan, runIteration, type SetupData, setupRun } from './lib/k6/gauntlet-run.ts';
import { loadPromptPool } from './lib/k6/prompt-pool.ts';
import { arrivalScenarios, baseOptions, sloThresholds } from './lib/scenario-options.ts';
import { scenarioShape } from './lib/scenario-plans.ts';

const { config, phases } = scenarioShape('soak', __ENV);
const plan: RunPlan = { scenario: 'soak', config, phases, pool: loadPromptPool(config.prompts, __ENV) };

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
