import { join } from 'node:path';
import { projectRoot } from '../../core/project-root.js';
import { parseMixShares, requestsNeeded } from '../../reports/slo/sample-sizing.js';
import type { Slo } from '../../reports/slo/slo-schema.js';
import type { ScenarioName } from '../../runner/load/load-driver.js';
import { mainPhase, sizePhase } from '../../runner/load/plan-sizing.js';
import { plannedIterations } from '../../scenarios/lib/arrival-schedule.ts';
import { scenarioShape } from '../../scenarios/lib/scenario-plans.ts';
import type { RunPart } from '../pipeline-options.js';

export interface SuiteOptions {
  /** The rated request rate the release is expected to hold. */
  rate: number;
  seed: number;
  endpointMix: string;
  maxTokens: number;
  /** The SLOs the suite is judged by: its parts are sized so each gets the samples it needs. */
  slos: readonly Slo[];
}

export interface Suite {
  name: string;
  description: string;
  sloFile: string;
  parts(options: SuiteOptions): RunPart[];
  /** Run the failover part (a worker kill under load, on a fresh stack) after the load parts. */
  failover: boolean;
}

const slo = (name: string) => join(projectRoot(), 'reports', 'slo', name);

/**
 * One part, its phases lengthened where the SLOs scoped to its scenario need more samples than the minimum
 * lengths give (runner/load/plan-sizing.ts): the main phase (DURATION) and any phase named in `sized` (e.g.
 * RECOVERY). SLOs over the whole suite are sized over all parts together (sizeSuite).
 */
const part = (
  scenario: ScenarioName,
  rate: number,
  minDurationS: number,
  o: SuiteOptions,
  env: Record<string, string> = {},
  sized: Record<string, string> = {},
): RunPart => {
  const shares = parseMixShares(o.endpointMix);
  const own = o.slos.filter((s) => s.scope?.scenario === scenario);
  const sizedEnv = { ...env };
  const shapeEnv = () => ({ RATE: String(rate), DURATION: `${minDurationS}s`, ...sizedEnv });
  for (const [phase, variable] of Object.entries(sized)) {
    sizedEnv[variable] = `${sizePhase(scenario, shapeEnv(), phase, own, shares).durationS}s`;
  }
  const durationS = sizePhase(scenario, shapeEnv(), mainPhase[scenario], own, shares).durationS;
  return {
    scenario,
    rate,
    durationS,
    seed: o.seed,
    endpointMix: o.endpointMix,
    maxTokens: o.maxTokens,
    env: sizedEnv,
  };
};

/**
 * SLOs not scoped to a scenario count every part's requests: when all parts together plan fewer than such
 * an SLO needs (requestsNeeded of its phase scope), the part named `grow` gets the rest in its main phase.
 */
function sizeSuite(parts: RunPart[], o: SuiteOptions, grow: ScenarioName): RunPart[] {
  const shares = parseMixShares(o.endpointMix);
  const planned = (p: RunPart, phase: string | undefined) =>
    scenarioShape(p.scenario, { GAUNTLET_TARGET: 'http://127.0.0.1', ...scenarioEnvOf(p) })
      .phases.filter((ph) => phase === undefined || ph.name === phase)
      .reduce((sum, ph) => sum + plannedIterations(ph), 0);
  let extraS = 0;
  const target = parts.find((p) => p.scenario === grow);
  if (!target) return parts;
  for (const slo of o.slos) {
    if (slo.scope?.scenario !== undefined || slo.scope?.window !== undefined) continue;
    const requests = requestsNeeded(slo, shares);
    if (requests === undefined || !Number.isFinite(requests)) continue;
    const phase = slo.scope?.phase;
    if (phase !== undefined && phase !== mainPhase[grow]) continue;
    const have = parts.reduce((sum, p) => sum + planned(p, phase), 0);
    extraS = Math.max(extraS, Math.ceil((requests - have) / target.rate));
  }
  if (extraS <= 0) return parts;
  return parts.map((p) => (p === target ? { ...p, durationS: p.durationS + extraS } : p));
}

const scenarioEnvOf = (p: RunPart): Record<string, string> => ({
  RATE: String(p.rate),
  DURATION: `${p.durationS}s`,
  ...p.env,
});

/**
 * Named suites of `gauntlet gate`. The quick load warms up for 10 s: the first seconds after k6 starts are
 * its own start-up CPU burst on a small machine, and they stay out of the steady scope the SLOs judge.
 * The lengths given are minimums: each part is lengthened until every SLO
 * judging it can be decided on a healthy stack at the rate and mix given (reports/slo/sample-sizing.ts:
 * 563 successful samples for each p99 of its endpoint, ~3,840 clean requests for an error rate < 0.1 %).
 */
export const suites: Record<string, Suite> = {
  release: {
    name: 'release',
    description:
      'smoke, load at the rated rate, a 5x spike and recovery (about 3 minutes at the default rate)',
    sloFile: slo('release-gate-slos.yaml'),
    parts: (o) =>
      sizeSuite(
        [
          part('smoke', 2, 10, o),
          part('load', o.rate, 60, o, { WARMUP: '10s' }),
          part(
            'spike',
            o.rate,
            20,
            o,
            { WARMUP: '5s', SPIKE_DURATION: '10s', RECOVERY: '60s' },
            { recovery: 'RECOVERY' },
          ),
        ],
        o,
        'load',
      ),
    failover: true,
  },
  quick: {
    name: 'quick',
    description:
      'one load run at the rated rate, as long as its p99s need (about 1 minute at the default rate and mix)',
    sloFile: slo('quick-gate-slos.yaml'),
    parts: (o) => sizeSuite([part('load', o.rate, 25, o, { WARMUP: '10s' })], o, 'load'),
    failover: false,
  },
  failover: {
    name: 'failover',
    description: 'the quick load run, then a worker killed under load (about 2 minutes)',
    sloFile: slo('quick-gate-slos.yaml'),
    parts: (o) => sizeSuite([part('load', o.rate, 25, o, { WARMUP: '10s' })], o, 'load'),
    failover: true,
  },
};
