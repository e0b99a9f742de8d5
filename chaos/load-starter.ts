import type { LoadDriver, ScenarioName } from '../runner/load/load-driver.js';
import { referenceMaxTokens } from './experiments/reference-steady-state.js';
import type { LoadStarter } from './run-experiment.js';

export interface LoadStarterOptions {
  seed: number;
  maxTokens?: number;
  /** More scenario variables; WARMUP is 0 unless set, so fault times count from the measured phase. */
  env?: Readonly<Record<string, string>>;
}

/** Runs an experiment's load with a harness LoadDriver (k6). */
export function loadStarterFrom(driver: LoadDriver, options: LoadStarterOptions): LoadStarter {
  return {
    async start(plan) {
      const run = await driver.start({
        scenario: plan.scenario as ScenarioName,
        target: plan.gatewayUrl,
        apiKey: plan.apiKey,
        rate: plan.rate,
        durationS: plan.durationS,
        seed: options.seed,
        endpointMix: plan.endpointMix ?? {},
        maxTokens: options.maxTokens ?? referenceMaxTokens,
        outDir: plan.outDir,
        env: { WARMUP: '0', ...options.env },
        runId: `${plan.experimentId}-${Date.now()}`,
      });
      return { samplesFile: run.samplesFile, done: run.done, stop: () => run.stop() };
    },
  };
}
