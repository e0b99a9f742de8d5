/**
 * Each scenario's load shape as phases, from its environment variables: one source of truth shared by the
 * k6 scenario files (which schedule them) and the harness (which reports planned vs achieved rates and
 * phase windows). Pure: no k6 imports.
 */
import { constantPhase, type Phase, rampPhase } from './arrival-schedule.ts';
import { type GauntletConfig, readConfig } from './config.ts';
import { durationVar, type Env, numberVar } from './env-vars.ts';
import { type ReplayInfo, replayInfo, replayPhases } from './replay-shape.ts';

export type ScenarioName = 'smoke' | 'load' | 'stress' | 'spike' | 'soak' | 'breakpoint' | 'replay';

export interface ScenarioShape {
  config: GauntletConfig;
  phases: Phase[];
  /** The k6 executor when it is not an arrival-rate one (replay: shared-iterations). */
  executor?: string;
  /** replay only: which trace, how it was scaled and cut. */
  replay?: ReplayInfo;
}

/** Each scenario's base rate (req/s), main-phase duration and warm-up (s) when the environment sets none. */
export const scenarioDefaults = {
  smoke: { rate: 1, durationS: 10, warmupS: 0 },
  // 20 req/s for 60 s after a 10 s warm-up: 1,400 requests, enough for a p99 on each half of the default mix
  // (1,196) and an error rate < 1 % (381); run-command lengthens it when a rate, mix or SLO file needs more.
  load: { rate: 20, durationS: 60, warmupS: 10 },
  stress: { rate: 10, durationS: 60, warmupS: 10 },
  spike: { rate: 10, durationS: 30, warmupS: 10 },
  soak: { rate: 5, durationS: 3600, warmupS: 30 },
  breakpoint: { rate: 10, durationS: 600, warmupS: 10 },
  // The harness sets RATE and DURATION from the trace (replay-shape.ts); no warm-up: the trace is the load.
  replay: { rate: 1, durationS: 1, warmupS: 0 },
} as const;

export function scenarioShape(scenario: ScenarioName, env: Env): ScenarioShape {
  const config = readConfig(env, scenarioDefaults[scenario]);
  const warmup = constantPhase('warmup', config.rate, config.warmupS);
  switch (scenario) {
    case 'smoke':
    case 'load':
    case 'soak':
      return { config, phases: [warmup, constantPhase('steady', config.rate, config.durationS)] };
    case 'stress': {
      const peak = config.rate * numberVar(env, 'STRESS_FACTOR', 2, { min: 1 });
      return {
        config,
        phases: [
          warmup,
          rampPhase('ramp', config.rate, [{ durationS: durationVar(env, 'RAMP', 30, 1), targetRps: peak }]),
          constantPhase('peak', peak, config.durationS),
          constantPhase('recovery', config.rate, durationVar(env, 'RECOVERY', 30)),
        ],
      };
    }
    case 'spike': {
      const spikeRate = config.rate * numberVar(env, 'SPIKE_FACTOR', 5, { min: 1 });
      return {
        config,
        phases: [
          warmup,
          constantPhase('steady', config.rate, config.durationS),
          constantPhase('spike', spikeRate, durationVar(env, 'SPIKE_DURATION', 10, 1)),
          constantPhase('recovery', config.rate, durationVar(env, 'RECOVERY', 60, 1)),
        ],
      };
    }
    case 'replay':
      return { config, phases: replayPhases(config), executor: 'shared-iterations', replay: replayInfo(env) };
    case 'breakpoint': {
      const startRate = numberVar(env, 'START_RATE', Math.max(1, Math.round(config.rate / 10)), {
        min: 0.001,
      });
      const maxRate = numberVar(env, 'MAX_RATE', config.rate * 10, { min: startRate });
      return {
        config,
        phases: [
          constantPhase('warmup', startRate, config.warmupS),
          rampPhase('ramp', startRate, [{ durationS: config.durationS, targetRps: maxRate }]),
        ],
      };
    }
  }
}
