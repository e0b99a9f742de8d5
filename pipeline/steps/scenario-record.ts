import type { CollectorResult } from '../../reports/collector/sample-collector.js';
import type { ScenarioRecord } from '../../reports/run-result.js';
import type { LoadOutcome } from '../../runner/load/load-driver.js';
import { phaseDurationS, plannedIterations } from '../../scenarios/lib/arrival-schedule.ts';
import type { ScenarioShape } from '../../scenarios/lib/scenario-plans.ts';
import { replayRecord } from './replay-record.js';

/**
 * What one scenario planned and what it delivered: planned rate from its phases, achieved rate from the
 * iterations k6 started, dropped iterations, and the phase windows placed at the scenario's first request.
 */
export function scenarioRecord(
  name: string,
  shape: ScenarioShape,
  outcome: LoadOutcome | undefined,
  collector: CollectorResult,
): ScenarioRecord {
  const phases = shape.phases.filter((p) => phaseDurationS(p) > 0);
  const plannedS = phases.reduce((sum, p) => sum + phaseDurationS(p), 0);
  const planned = phases.reduce((sum, p) => sum + plannedIterations(p), 0);
  const first = collector.byScenarioPhase
    .filter((a) => a.scenario === name && Number.isFinite(a.firstStartMs))
    .reduce((min, a) => Math.min(min, a.firstStartMs), Number.POSITIVE_INFINITY);
  let startS = Number.isFinite(first) ? (first - collector.timeOriginMs) / 1000 : 0;
  const phaseRecords = phases.map((p) => {
    const durationS = phaseDurationS(p);
    const record = {
      name: p.name,
      startS,
      durationS,
      targetRate: plannedIterations(p) / durationS,
    };
    startS += durationS;
    return record;
  });
  const started =
    outcome?.iterations ??
    collector.byScenarioPhase.filter((a) => a.scenario === name).reduce((s, a) => s + a.count, 0);
  return {
    name,
    executor:
      shape.executor ??
      (phases.some((p) => p.kind === 'ramp') ? 'ramping-arrival-rate' : 'constant-arrival-rate'),
    targetRate: plannedS > 0 ? planned / plannedS : null,
    achievedRate: plannedS > 0 ? started / plannedS : 0,
    droppedIterations: outcome?.droppedIterations ?? 0,
    ...(outcome ? { iterations: outcome.iterations } : {}),
    // The largest lag: a p99 would let 1 % of the requests start arbitrarily late unnoticed.
    maxSchedulingLagMs: outcome?.scheduleLagMs?.max ?? null,
    endpoints: shape.config.endpointMix.filter((e) => e.share > 0).map((e) => e.endpoint),
    durationS: plannedS,
    phases: phaseRecords,
    ...(shape.replay ? { replay: replayRecord(name, shape.replay, outcome, collector) } : {}),
  };
}
