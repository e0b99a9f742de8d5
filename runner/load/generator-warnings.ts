import { MAX_SCHEDULING_LAG_MS } from '../../reports/slo/evaluate-slos.js';
import type { K6Summary } from '../k6/k6-summary.js';

/**
 * Above this largest scheduling lag, a run's latency figures are suspect even without dropped iterations:
 * the same limit the verdicts use, so a warning and an inconclusive verdict always come together.
 */
export const defaultLagWarnMs = MAX_SCHEDULING_LAG_MS;

/**
 * Says in words when the load generator fell behind its arrival schedule: then latency is measured from
 * late sends (coordinated omission) and a verdict on it should be inconclusive.
 */
export function generatorWarnings(summary: K6Summary | undefined, lagWarnMs = defaultLagWarnMs): string[] {
  if (!summary) return ['k6 wrote no summary: dropped iterations and scheduling lag are unknown'];
  const warnings: string[] = [];
  if (summary.droppedIterations > 0) {
    warnings.push(
      `k6 dropped ${summary.droppedIterations} of ${summary.iterations + summary.droppedIterations} scheduled ` +
        `iterations (no free VU at their start time, ${summary.vusMax} VUs at most): raise MAX_VUS or ` +
        'EXPECTED_LATENCY_MS, or lower the rate; latency figures of this run are not trustworthy',
    );
  }
  const lag = summary.scheduleLagMs;
  if (lag && lag.max > lagWarnMs) {
    warnings.push(
      `iterations started late against the arrival schedule: max ${lag.max.toFixed(1)} ms, p99 ` +
        `${lag.p99.toFixed(1)} ms (limit ${lagWarnMs} ms); the load generator was short of CPU`,
    );
  }
  return warnings;
}
