import type { AbortRule } from '../experiment/experiment-schema.js';
import { formatPercent } from '../experiment/slo.js';
import { endOf, type MeasuredRequest } from './measured-request.js';

export interface AbortCheck {
  triggered: boolean;
  errorRate: number | null;
  requests: number;
  message: string;
}

/**
 * `error_rate_above`: the error rate of the requests that ended in the last forS seconds is above the
 * threshold, over at least minSamples requests (a handful of early failures must not stop a run).
 */
export function checkAbort(
  rule: AbortRule,
  requests: readonly MeasuredRequest[],
  nowMs: number,
  minSamples = 10,
): AbortCheck {
  const from = nowMs - rule.forS * 1000;
  let n = 0;
  let failed = 0;
  for (const r of requests) {
    const end = endOf(r);
    if (end < from || end >= nowMs) continue;
    n++;
    if (!r.ok) failed++;
  }
  const errorRate = n === 0 ? null : failed / n;
  const triggered = errorRate !== null && n >= minSamples && errorRate > rule.threshold;
  return {
    triggered,
    errorRate,
    requests: n,
    message: `error rate ${errorRate === null ? 'n/a' : formatPercent(errorRate)} over the last ${rule.forS} s (${failed} of ${n}) ${triggered ? '>' : '<='} ${formatPercent(rule.threshold)}`,
  };
}
