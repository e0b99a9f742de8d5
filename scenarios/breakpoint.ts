/**
 * breakpoint: raise the arrival rate until an SLO breaks, then stop. A warm-up at START_RATE, then a linear
 * ramp from START_RATE (default RATE / 10, at least 1) to MAX_RATE (default 10 x RATE) over DURATION
 * (default 10m). The p(99) latency and error-rate thresholds have abortOnFail: k6 stops the run (exit 99)
 * at the first evaluation that breaks one, after DELAY_ABORT_EVAL (default 10s) of samples. The rate
 * reached is read from the samples' timeline. k6's thresholds are cumulative over the run, so the break is
 * detected somewhat after the rate at which the SLO stopped holding.
 */
import type { Options } from 'k6/options';
import { durationVar } from './lib/env-vars.ts';
import { type RunPlan, runIteration, type SetupData, setupRun } from './lib/k6/gauntlet-run.ts';
import { loadPromptPool } from './lib/k6/prompt-pool.ts';
import { arrivalScenarios, baseOptions, sloThresholds } from './lib/scenario-options.ts';
import { scenarioShape } from './lib/scenario-plans.ts';

const { config, phases } = scenarioShape('breakpoint', __ENV);
const plan: RunPlan = { scenario: 'breakpoint', config, phases, pool: loadPromptPool(config.prompts, __ENV) };

export const options: Options = {
  ...baseOptions(config),
  scenarios: arrivalScenarios(phases, config),
  thresholds: sloThresholds(config, {
    phases: ['ramp'],
    abortOnFail: true,
    delayAbortEvalS: durationVar(__ENV, 'DELAY_ABORT_EVAL', 10),
  }),
};

export function setup(): SetupData {
  return setupRun(plan);
}

export default function (data: SetupData): void {
  runIteration(plan, data);
}
