import type { RunResult } from '../../reports/run-result.js';
import type { Slo } from '../../reports/slo/slo-schema.js';

/** Seconds in a row that must be bad before the ramp counts as broken (one slow second is noise). */
export const BREAK_SECONDS = 3;

export interface RampBreak {
  /** Offered rate at the first of the bad seconds; null when the ramp never broke. */
  brokeAtRate: number | null;
  reason: string;
}

/**
 * Where a breakpoint ramp broke, read from its 1-second timeline: the first of BREAK_SECONDS seconds in a
 * row with p99 e2e or TTFT over the tightest latency SLO, a failure share over the error-rate SLO, or fewer
 * than 85 % of the offered requests started (the generator or the target could not keep up). Only a
 * bracket for the constant-rate search, never its answer: seconds hold few samples.
 */
export function rampBreak(
  run: RunResult,
  slos: readonly Slo[],
  startRate: number,
  maxRate: number,
): RampBreak {
  const phase = run.scenarios[0]?.phases.find((p) => p.name === 'ramp');
  if (!phase) return { brokeAtRate: null, reason: 'the run has no ramp phase' };
  // Each latency SLO is read at the nearest percentile the timeline keeps (p50, p95 or p99).
  const latency = slos
    .filter((s) => (s.metric === 'e2e' || s.metric === 'ttft') && (s.op === '<' || s.op === '<='))
    .map((s) => ({ metric: s.metric as 'e2e' | 'ttft', stat: timelineStat(s.stat), limit: s.threshold }));
  const errorLimit = Math.min(
    ...slos.filter((s) => s.metric === 'error_rate').map((s) => s.threshold),
    Number.POSITIVE_INFINITY,
  );
  const rateAt = (t: number) =>
    startRate +
    (maxRate - startRate) * Math.min(1, Math.max(0, (t - phase.startS) / Math.max(1, phase.durationS)));
  const inRamp = run.timeline.filter((p) => p.t >= phase.startS && p.t < phase.startS + phase.durationS);
  let streak: { t: number; why: string } | undefined;
  let count = 0;
  for (const point of inRamp) {
    const offered = rateAt(point.t + 0.5);
    const ended = point.completed + point.failed;
    const slow = latency.find((l) => (point[l.metric]?.[l.stat] ?? 0) > l.limit);
    const why =
      (slow &&
        `${slow.stat} ${slow.metric === 'e2e' ? 'e2e' : 'TTFT'} ${Math.round(point[slow.metric]?.[slow.stat] ?? 0)} ms > ${slow.limit} ms`) ||
      (ended > 0 && point.failed / ended > errorLimit && `${point.failed} of ${ended} requests failed`) ||
      (offered >= 5 &&
        point.started < 0.85 * offered &&
        `${point.started} requests started of ${Math.round(offered)} offered`) ||
      undefined;
    if (!why) {
      streak = undefined;
      count = 0;
      continue;
    }
    if (!streak) streak = { t: point.t, why };
    if (++count >= BREAK_SECONDS) {
      const rate = Math.round(rateAt(streak.t));
      return {
        brokeAtRate: rate,
        reason: `broke at ${rate} req/s offered (${BREAK_SECONDS} s in a row from t=${streak.t} s; first: ${streak.why})`,
      };
    }
  }
  const last = inRamp.at(-1);
  if (last && last.t < phase.startS + phase.durationS - 2) {
    const rate = Math.round(rateAt(last.t));
    return {
      brokeAtRate: rate,
      reason: `the ramp ended early at ${rate} req/s offered (its thresholds stopped it)`,
    };
  }
  return { brokeAtRate: null, reason: `held up to ${Math.round(maxRate)} req/s, the top of the ramp` };
}

function timelineStat(stat: Slo['stat']): 'p50' | 'p95' | 'p99' {
  if (stat === 'p50' || stat === 'mean') return 'p50';
  if (stat === 'p90' || stat === 'p95') return 'p95';
  return 'p99';
}
