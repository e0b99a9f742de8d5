import {
  type Phase,
  peakRps,
  phaseDurationS,
  timeUnitFor,
  type VuSizing,
  vuSizing,
} from './arrival-schedule.ts';
import type { GauntletConfig } from './config.ts';

/**
 * k6 options built from phases. The shapes mirror k6's ConstantArrivalRateScenario and
 * RampingArrivalRateScenario (the scenario files assign them to k6's `Options`, which type-checks them)
 * without importing k6 here, so that this file stays testable outside k6.
 */
interface ArrivalScenarioBase {
  startTime: string;
  gracefulStop: string;
  timeUnit: string;
  preAllocatedVUs: number;
  maxVUs: number;
  /** Every metric of the phase carries `phase:<name>`, so thresholds and reports can split by phase. */
  tags: { phase: string };
}

export interface ConstantArrivalScenario extends ArrivalScenarioBase {
  executor: 'constant-arrival-rate';
  rate: number;
  duration: string;
}

export interface RampingArrivalScenario extends ArrivalScenarioBase {
  executor: 'ramping-arrival-rate';
  startRate: number;
  stages: Array<{ duration: string; target: number }>;
}

export type ArrivalScenario = ConstantArrivalScenario | RampingArrivalScenario;

const ms = (seconds: number) => `${Math.round(seconds * 1000)}ms`;

/** A number as k6's threshold parser reads it: plain decimals, never exponent notation (1e-7). */
export function decimal(value: number): string {
  return value.toFixed(9).replace(/\.?0+$/, '');
}

/**
 * One k6 scenario per phase, named after the phase, back to back: each starts when the previous one's
 * schedule ends. Phases of zero length are left out. gracefulStop outlasts the request timeout, so a
 * request in flight at the end of its phase finishes (or times out) instead of being cut by k6.
 */
export function arrivalScenarios(
  phases: readonly Phase[],
  sizing: VuSizing,
): Record<string, ArrivalScenario> {
  const scenarios: Record<string, ArrivalScenario> = {};
  let startS = 0;
  for (const phase of phases) {
    const durationS = phaseDurationS(phase);
    if (durationS <= 0) continue;
    if (scenarios[phase.name]) throw new Error(`two phases are named '${phase.name}'`);
    const base = {
      startTime: ms(startS),
      gracefulStop: ms(sizing.requestTimeoutMs / 1000 + 5),
      tags: { phase: phase.name },
      ...vuSizing(peakRps(phase), sizing),
    };
    if (phase.kind === 'constant') {
      const unit = timeUnitFor([phase.rps]);
      scenarios[phase.name] = {
        executor: 'constant-arrival-rate',
        ...base,
        timeUnit: `${unit.timeUnitS}s`,
        rate: unit.scale(phase.rps),
        duration: ms(phase.durationS),
      };
    } else {
      const unit = timeUnitFor([phase.startRps, ...phase.stages.map((stage) => stage.targetRps)]);
      scenarios[phase.name] = {
        executor: 'ramping-arrival-rate',
        ...base,
        timeUnit: `${unit.timeUnitS}s`,
        startRate: unit.scale(phase.startRps),
        stages: phase.stages.map((stage) => ({
          duration: ms(stage.durationS),
          target: unit.scale(stage.targetRps),
        })),
      };
    }
    startS += durationS;
  }
  if (Object.keys(scenarios).length === 0) throw new Error('every phase has zero length: nothing to run');
  return scenarios;
}

export type Threshold = string | { threshold: string; abortOnFail: boolean; delayAbortEval?: string };

export interface ThresholdOptions {
  /** Phases the SLOs apply to; warm-up is usually left out. Empty: the whole run. */
  phases: readonly string[];
  /** Stop the run as soon as an SLO breaks (breakpoint tests). */
  abortOnFail?: boolean;
  /** With abortOnFail: how long to collect samples before the first evaluation can stop the run. */
  delayAbortEvalS?: number;
  /** Tolerate no error at all (smoke tests), whatever SLO_ERROR_RATE says. */
  noErrors?: boolean;
}

/**
 * k6 thresholds for the SLOs (exit code 99 when one fails). Latency SLOs are checked on successful
 * requests, errors as a rate over all; TTFT only when the mix streams (a threshold on a metric without
 * samples says nothing).
 */
export function sloThresholds(
  config: Pick<GauntletConfig, 'slo' | 'endpointMix'>,
  options: ThresholdOptions,
): Record<string, Threshold[]> {
  const streams = config.endpointMix.some(
    ({ endpoint }) => endpoint === 'chat_stream' || endpoint === 'completions',
  );
  const rules: Array<[string, string]> = [
    ['gauntlet_e2e_ms', `p(99)<${decimal(config.slo.e2eP99Ms)}`],
    ['gauntlet_errors', options.noErrors ? 'rate==0' : `rate<${decimal(config.slo.errorRate)}`],
  ];
  if (streams) rules.push(['gauntlet_ttft_ms', `p(99)<${decimal(config.slo.ttftP99Ms)}`]);
  const scopes = options.phases.length === 0 ? [''] : options.phases.map((phase) => `{phase:${phase}}`);
  const thresholds: Record<string, Threshold[]> = {};
  for (const scope of scopes) {
    for (const [metric, expression] of rules) {
      thresholds[`${metric}${scope}`] = [
        options.abortOnFail
          ? {
              threshold: expression,
              abortOnFail: true,
              delayAbortEval: ms(options.delayAbortEvalS ?? 10),
            }
          : expression,
      ];
    }
  }
  return thresholds;
}

/** Trend statistics in the summary export; the harness judges the schedule lag by its max (and shows p99). */
export const summaryTrendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

/** Options every scenario shares. */
export function baseOptions(config: Pick<GauntletConfig, 'requestTimeoutMs'>) {
  return {
    summaryTrendStats,
    userAgent: 'gauntlet-k6',
    // setup() asks the gateway for its model once; a dead target should fail fast, not after minutes.
    setupTimeout: ms(Math.min(60, config.requestTimeoutMs / 1000 + 10)),
  };
}
