import { type MixShares, requestsNeeded, slosInScope } from '../../reports/slo/sample-sizing.js';
import type { Slo } from '../../reports/slo/slo-schema.js';
import { type Phase, phaseDurationS, plannedIterations } from '../../scenarios/lib/arrival-schedule.ts';
import { type ScenarioName, scenarioShape } from '../../scenarios/lib/scenario-plans.ts';

/** The phase that each scenario's DURATION sets. */
export const mainPhase: Record<ScenarioName, string> = {
  smoke: 'steady',
  load: 'steady',
  soak: 'steady',
  spike: 'steady',
  stress: 'peak',
  breakpoint: 'ramp',
  replay: 'replay',
};

export interface PhaseSizing {
  /** Seconds the phase needs: at least the length it was given. */
  durationS: number;
  /** The SLO that set it, when the SLOs asked for more than the length given. */
  drivenBy?: { id: string; requests: number };
}

const meanRps = (phase: Phase) => {
  const s = phaseDurationS(phase);
  return s > 0 ? plannedIterations(phase) / s : 0;
};

/**
 * How long one phase of a scenario must last for every SLO judging it to get the samples it needs
 * (sample-sizing.ts), counting the requests that the scenario's other phases in the SLO's scope already
 * supply. `env` is the scenario's environment (RATE, DURATION, WARMUP, RECOVERY, ...); the phase's given
 * length is the floor. SLOs on endpoints the mix never sends, and SLOs scoped elsewhere, ask for nothing.
 */
export function sizePhase(
  scenario: ScenarioName,
  env: Readonly<Record<string, string>>,
  phaseName: string,
  slos: readonly Slo[],
  shares: MixShares,
): PhaseSizing {
  // The shape does not depend on the target; the config reader only insists on one.
  const { phases } = scenarioShape(scenario, { GAUNTLET_TARGET: 'http://127.0.0.1', ...env });
  const phase = phases.find((p) => p.name === phaseName);
  if (!phase) throw new Error(`scenario ${scenario} has no phase '${phaseName}'`);
  const givenS = phaseDurationS(phase);
  const rate = meanRps(phase);
  let sizing: PhaseSizing = { durationS: givenS };
  if (!(rate > 0)) return sizing;
  for (const slo of slosInScope(slos, scenario, phaseName)) {
    const requests = requestsNeeded(slo, shares);
    if (requests === undefined || !Number.isFinite(requests)) continue;
    const others = phases
      .filter((p) => p !== phase && slosInScope([slo], scenario, p.name).length > 0)
      .reduce((sum, p) => sum + plannedIterations(p), 0);
    const durationS = Math.ceil((requests - others) / rate);
    if (durationS > sizing.durationS) sizing = { durationS, drivenBy: { id: slo.id, requests } };
  }
  return sizing;
}
