import type { CollectorResult } from '../../reports/collector/sample-collector.js';
import type { ScenarioRecord } from '../../reports/run-result.js';
import { MAX_SCHEDULING_LAG_MS } from '../../reports/slo/evaluate-slos.js';
import type { LoadOutcome } from '../../runner/load/load-driver.js';
import type { ReplayInfo } from '../../scenarios/lib/replay-shape.ts';

/**
 * A replay's record: what was replayed, how many requests the schedule held, were sent and were recorded,
 * and the schedule error (actual send minus scheduled send, per request, from the generator's
 * gauntlet_schedule_lag_ms trend: its median, p99 and max).
 */
export function replayRecord(
  name: string,
  info: ReplayInfo,
  outcome: LoadOutcome | undefined,
  collector: CollectorResult,
): NonNullable<ScenarioRecord['replay']> {
  const lag = outcome?.scheduleLagMs;
  const recorded = collector.byScenarioPhase
    .filter((a) => a.scenario === name)
    .reduce((sum, a) => sum + a.count, 0);
  return {
    trace: info.trace,
    format: info.format,
    speedup: info.speedup,
    traceRequests: info.traceRequests,
    scheduledRequests: info.requests,
    sentRequests: outcome?.iterations ?? recorded,
    recordedRequests: recorded,
    scheduleErrorMs: lag && lag.count > 0 ? { p50: lag.med, p99: lag.p99, max: lag.max, n: lag.count } : null,
    scheduleErrorLimitMs: MAX_SCHEDULING_LAG_MS,
  };
}
