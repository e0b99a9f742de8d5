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
  const latencyLimit = Math.min(
    ...slos
      .filter((s) => ['e2e', 'ttft'].includes(s.metric) && (s.op === '<' || s.op === '<='))
      .map((s) => s.threshold),
    Number.POSITIVE_INFINITY,
  );
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
    const why =
      (point.e2e &&
        point.e2e.p99 > latencyLimit &&
        `p99 e2e ${Math.round(point.e2e.p99)} ms > ${latencyLimit} ms`) ||
      (point.ttft &&
        point.ttft.p99 > latencyLimit &&
        `p99 TTFT ${Math.round(point.ttft.p99)} ms > ${latencyLimit} ms`) ||
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
