/**
 * spike: a sudden burst and back, what the seed's peak-shaving queue is for. Warm-up and a steady phase at
 * RATE (DURATION, default 30s), then SPIKE_FACTOR x RATE (default 5x) at once for SPIKE_DURATION (default
 * 10s), then RATE again for RECOVERY (default 60s). The queue may stretch latency during the spike but must
 * not turn it into errors; latency SLOs hold before the spike and after it.
 */
import type { Options } from 'k6/options';
import { type RunPlan, runIteration, type SetupData, setupRun } from './lib/k6/gauntlet-run.ts';
import { loadPromptPool } from './lib/k6/prompt-pool.ts';
import { arrivalScenarios, baseOptions, decimal, sloThresholds } from './lib/scenario-options.ts';
import { scenarioShape } from './lib/scenario-plans.ts';

const { config, phases } = scenarioShape('spike', __ENV);
const plan: RunPlan = { scenario: 'spike', config, phases, pool: loadPromptPool(config.prompts, __ENV) };

export const options: Options = {
  ...baseOptions(config),
  scenarios: arrivalScenarios(phases, config),
  thresholds: {
    ...sloThresholds(config, { phases: ['steady', 'recovery'] }),
    'gauntlet_errors{phase:spike}': [`rate<${decimal(config.slo.errorRate)}`],
  },
};

export function setup(): SetupData {
  return setupRun(plan);
}

export default function (data: SetupData): void {
  runIteration(plan, data);
}
