import { aggregateRequests, requestMatcher } from '../collector/aggregate-requests.js';
import { type AggregateStats, mergeMatching, startSpanS } from '../collector/aggregate-stats.js';
import type { CollectorResult } from '../collector/sample-collector.js';
import { combineVerdicts, type Endpoint, type SloVerdictKind } from '../model/kinds.js';
import { designEffect } from '../stats/cluster-sums.js';
import {
  type Estimate,
  type Interval,
  MIN_SAMPLES_FOR_MEAN,
  meanWithCi,
  quantileWithCi,
  wilsonInterval,
  Z_95,
} from '../stats/intervals.js';
import { RankedHistogram } from '../stats/ranked-histogram.js';
import { countGoodRequests, goodputCriteria } from './goodput.js';
import { type HostOverload, overloadDuring, type TimeSpan } from './host-overload.js';
import {
  endpointShare,
  requestsToShowErrorRate,
  requestsToShowErrorRateAbove,
  samplesNeeded,
} from './sample-sizing.js';
import {
  DEFAULT_LATENCY_STAT,
  isLatencyMetric,
  type Slo,
  type SloOp,
  type SloScope,
  type SloStat,
  STAT_QUANTILE,
  sloUnit,
} from './slo-schema.js';

/** How the load generator did against its schedule (from k6's summary or Gauntlet's own scheduler). */
export interface LoadInfo {
  /** Planned arrival rate (req/s); null for a closed-model scenario, which has none. */
  targetRate: number | null;
  achievedRate: number;
  droppedIterations: number;
  /** Largest delay between an iteration's planned and actual start, when the generator reports it. */
  maxSchedulingLagMs?: number | undefined;
  durationS: number;
  /** Iterations planned; default: the samples collected plus the dropped iterations. */
  iterations?: number | undefined;
  /** Endpoints the plan sent traffic to (its mix); an SLO on any other is not applicable. Unknown: all. */
  endpoints?: readonly Endpoint[] | undefined;
  /** Where the phases lie (seconds after the time origin), for SLOs scoped to one. */
  phases?: ReadonlyArray<{ name: string; startS: number; durationS: number }> | undefined;
  /** The same per scenario, for SLOs scoped to one. */
  scenarios?: Record<string, Omit<LoadInfo, 'scenarios'>> | undefined;
}

/**
 * The largest delay between an iteration's planned and actual start that leaves latency trustworthy: a
 * request sent this late hides at most this much of its wait. One limit for the generator's warnings and
 * for the verdicts.
 */
export const MAX_SCHEDULING_LAG_MS = 100;

export interface SloEvaluationOptions {
  /** More dropped iterations than this fraction of all makes every latency SLO inconclusive (0.001). */
  maxDroppedFraction?: number;
  /** A scheduling lag (the largest) above this makes every latency SLO inconclusive (100 ms). */
  maxSchedulingLagMs?: number;
  /** Times when the stack's own host was too busy (event-loop delay over its bound): latency there is not the stack's. */
  hostOverloads?: readonly HostOverload[];
}

const DEFAULTS: Required<SloEvaluationOptions> = {
  maxDroppedFraction: 0.001,
  maxSchedulingLagMs: MAX_SCHEDULING_LAG_MS,
  hostOverloads: [],
};

/** What it would take to decide an inconclusive SLO: more samples, and how long at the rate observed. */
export interface SloNeed {
  samples: number;
  /** Seconds at the scope's observed rate of samples; null when no rate was observed. */
  durationS: number | null;
  /** Samples per second of the scope that the duration is computed at. */
  ratePerS: number | null;
}

export interface SloVerdict {
  id: string;
  description?: string | undefined;
  metric: Slo['metric'];
  endpoint?: Slo['endpoint'];
  /** Latency SLOs: the stat used (p99 when the SLO names none). */
  stat?: SloStat | undefined;
  op: SloOp;
  threshold: number;
  unit: ReturnType<typeof sloUnit>;
  scope?: SloScope | undefined;
  verdict: SloVerdictKind;
  /** null when nothing was measured. */
  observed: number | null;
  /** 95 % confidence interval; null when the sample is too small for one. */
  ci: Interval | null;
  samples: number;
  reason: string;
  /** For an inconclusive verdict that more data would decide: how much. */
  needed?: SloNeed | undefined;
}

export interface SloEvaluation {
  /** fail if any fails, else inconclusive if any is, else pass (not_applicable ones do not count). */
  verdict: ReturnType<typeof combineVerdicts>;
  slos: SloVerdict[];
  /** Why latency figures are not trustworthy (the generator fell behind), or null. */
  loadGeneratorBehind: string | null;
}

export const STRADDLES = 'confidence interval straddles the threshold';

type Decided = Pick<SloVerdict, 'verdict' | 'observed' | 'ci' | 'samples' | 'reason' | 'needed'>;
type Base = Omit<SloVerdict, 'verdict' | 'observed' | 'ci' | 'samples' | 'reason' | 'needed'>;

/**
 * Evaluates SLOs on what the collector measured. The rule, the same for every CI-bearing metric: pass when
 * the whole 95 % confidence interval is on the good side of the threshold, fail when it is all on the bad
 * side, inconclusive when it straddles it or cannot be computed (too few samples); an inconclusive verdict
 * that more data would decide says how much (`needed`, sample-sizing.ts).
 *
 * - Percentiles: distribution-free interval from order statistics (intervals.ts), read from the histogram.
 * - mean: normal approximation, from 30 samples.
 * - error_rate: Wilson score interval of failed / all requests in scope.
 * - goodput: Wilson interval of good / all requests, times all requests / duration.
 * - achieved_rate: achieved / target rate with no interval (a count). Inconclusive without a target rate
 *   (closed model), and when it misses while the generator itself was late (scheduling lag over the
 *   limit): then the shortfall is the generator's CPU, not the target.
 * - When the load generator fell behind its schedule (dropped iterations above 0.1 % of its iterations, or
 *   its largest scheduling lag above the limit), requests it did not send on time are latency it did not
 *   measure (coordinated omission): the measured latency is a lower bound. A latency SLO whose measured
 *   interval already violates its upper bound still fails; every other latency and goodput verdict is
 *   inconclusive. The same holds when the stack's own host was overloaded during the SLO's scope.
 * - An SLO on an endpoint the plan sent no traffic to by design is not_applicable and does not count.
 */
export function evaluateSlos(
  slos: readonly Slo[],
  result: CollectorResult,
  load: LoadInfo,
  options: SloEvaluationOptions = {},
): SloEvaluation {
  const opts = { ...DEFAULTS, ...options };
  const verdicts = slos.map((slo) => evaluateOne(slo, slos, result, load, opts));
  return {
    verdict: combineVerdicts(verdicts.map((v) => v.verdict)),
    slos: verdicts,
    loadGeneratorBehind: behindReason(load, result.samples, opts),
  };
}

/** Why the generator's latency figures are not trustworthy, or null when it kept its schedule. */
export function behindReason(
  load: Omit<LoadInfo, 'scenarios'>,
  samples: number,
  options: SloEvaluationOptions = {},
): string | null {
  const opts = { ...DEFAULTS, ...options };
  const iterations = load.iterations ?? samples + load.droppedIterations;
  if (load.droppedIterations > 0 && load.droppedIterations > opts.maxDroppedFraction * iterations) {
    return `load generator fell behind its schedule (${load.droppedIterations} of ${iterations} iterations dropped): latency figures are not trustworthy`;
  }
  if (lagging(load, opts)) {
    return `load generator fell behind its schedule (largest scheduling lag ${round(load.maxSchedulingLagMs ?? 0)} ms > ${opts.maxSchedulingLagMs} ms): latency figures are not trustworthy`;
  }
  return null;
}

function lagging(load: Omit<LoadInfo, 'scenarios'>, opts: Required<SloEvaluationOptions>): boolean {
  return load.maxSchedulingLagMs !== undefined && load.maxSchedulingLagMs > opts.maxSchedulingLagMs;
}

/** Samples the collector holds for a scenario (all when the SLO names none): the "behind" denominator. */
function scenarioSamples(result: CollectorResult, scenario: string | undefined): number {
  if (scenario === undefined) return result.samples;
  return result.byScenarioPhase.filter((a) => a.scenario === scenario).reduce((s, a) => s + a.count, 0);
}

/**
 * An SLO's verdict. A host overload in its scope (services' event loops late by more than the bound) can
 * only have made latency worse: a pass stands, but a latency or goodput fail becomes inconclusive, since
 * the host's CPU rather than the stack may have set that latency. A fail stands only when even the
 * interval's lower bound exceeds the threshold by more than the largest host delay in scope, which the
 * overload cannot explain (a planted 4x slowdown stays a fail on a busy machine).
 */
function evaluateOne(
  slo: Slo,
  all: readonly Slo[],
  result: CollectorResult,
  load: LoadInfo,
  opts: Required<SloEvaluationOptions>,
): SloVerdict {
  const judged = judgeOne(slo, all, result, load, opts);
  if (judged.verdict !== 'fail') return judged;
  if (!isLatencyMetric(slo.metric) && slo.metric !== 'goodput') return judged;
  const overload = overloadReason(slo, result, load, opts);
  if (!overload) return judged;
  const worstMs = worstOverloadMs(slo, result, load, opts);
  const upper = slo.op === '<' || slo.op === '<=';
  if (isLatencyMetric(slo.metric) && upper && judged.ci && judged.ci[0] > slo.threshold + worstMs) {
    return {
      ...judged,
      reason: `${judged.reason}; the host was overloaded meanwhile, but by less (${Math.round(worstMs)} ms) than this violation`,
    };
  }
  return { ...judged, verdict: 'inconclusive', reason: `${overload} (measured: ${judged.reason})` };
}

function judgeOne(
  slo: Slo,
  all: readonly Slo[],
  result: CollectorResult,
  load: LoadInfo,
  opts: Required<SloEvaluationOptions>,
): SloVerdict {
  const base: Base = {
    id: slo.id,
    description: slo.description,
    metric: slo.metric,
    endpoint: slo.endpoint,
    op: slo.op,
    threshold: slo.threshold,
    unit: sloUnit(slo.metric),
    scope: slo.scope,
  };
  const scenario = slo.scope?.scenario;
  const scenarioLoad = (scenario !== undefined && load.scenarios?.[scenario]) || load;
  const notSent = notApplicable(slo, scenarioLoad);
  if (notSent) {
    return { ...base, verdict: 'not_applicable', observed: null, ci: null, samples: 0, reason: notSent };
  }
  const behind = behindReason(scenarioLoad, scenarioSamples(result, scenario), opts);

  if (slo.metric === 'achieved_rate') return achievedRate(base, slo, result, scenarioLoad, opts);

  if (slo.metric === 'error_rate') {
    const agg = scoped(result, slo);
    const failed = agg.count - agg.ok;
    if (agg.count === 0) return { ...base, ...tooFew(0, 1, slo), observed: null, ci: null };
    const ci = wilsonInterval(failed, agg.count);
    const decided = decide(slo, failed / agg.count, ci, agg.count, null);
    if (decided.verdict !== 'inconclusive') return { ...base, ...decided };
    return {
      ...base,
      ...errorRateNeed(slo, failed, agg.count, scopeRate(result, slo, scenarioLoad, agg.count), decided),
    };
  }

  if (slo.metric === 'goodput') {
    const { n, good } = countGoodRequests(result.table, goodputCriteria(all), {
      ...filterOf(result, slo),
    });
    const durationS = scopeDurationS(result, slo, scenarioLoad);
    if (n === 0 || durationS <= 0) return { ...base, ...tooFew(n, 1, slo), observed: null, ci: null };
    const p = wilsonInterval(good, n);
    const scale = n / durationS;
    const ci: Interval | null = p ? [p[0] * scale, p[1] * scale] : null;
    return { ...base, ...decide(slo, good / durationS, ci, n, behind) };
  }

  // Latency.
  const stat = slo.stat ?? DEFAULT_LATENCY_STAT;
  const withStat = { ...base, stat };
  if (slo.metric === 'itl' && slo.scope?.window) {
    return {
      ...withStat,
      verdict: 'inconclusive',
      observed: null,
      ci: null,
      samples: 0,
      reason: 'itl is not kept per request, so it cannot be evaluated over a time window (scope.window)',
    };
  }
  if (!isLatencyMetric(slo.metric)) throw new Error(`unhandled SLO metric ${slo.metric}`);
  const agg = scoped(result, slo);
  const ranked = new RankedHistogram(agg.histograms[slo.metric]);
  const n = ranked.n;
  // The gaps of one stream share its worker, batch and network: they are not independent samples, so the
  // interval is as wide as their effective number (Kish's design effect from the intraclass correlation).
  const clustering = slo.metric === 'itl' && n > 0 ? designEffect(agg.itlStreams) : undefined;
  const effectiveN = clustering?.effectiveN ?? n;
  const estimate: Estimate =
    stat === 'mean'
      ? meanWithCi(ranked, Z_95, effectiveN)
      : quantileWithCi(ranked, STAT_QUANTILE[stat], Z_95, effectiveN);
  const need = Math.ceil((samplesNeeded(slo) ?? MIN_SAMPLES_FOR_MEAN) * (clustering?.effect ?? 1));
  const verdict = judgeLatency(
    withStat,
    slo,
    ranked,
    estimate,
    need,
    scopeRate(result, slo, scenarioLoad, n),
    behind,
  );
  if (!clustering) return verdict;
  return {
    ...verdict,
    reason: `${verdict.reason}; ITL gaps of one stream are correlated: ${fmtCount(n)} gaps from ${fmtCount(agg.itlStreams.clusters)} streams count as ${fmtCount(Math.round(effectiveN))} (design effect ${clustering.effect.toFixed(2)})`,
  };
}

/** A latency SLO from its estimate: decided, a one-sided violation, or what would decide it. */
function judgeLatency(
  withStat: Base & { stat: SloStat },
  slo: Slo,
  ranked: RankedHistogram,
  estimate: Estimate,
  need: number,
  rate: number | null,
  behind: string | null,
): SloVerdict {
  const { stat } = withStat;
  const n = ranked.n;
  const observed = n > 0 ? round(estimate.value) : null;
  if (estimate.ci === null && stat !== 'mean' && (!behind || slo.op.startsWith('<'))) {
    // Too few samples for a two-sided interval can still be enough to show a violation: when the one bound
    // that exists already lies on the bad side, more samples could only confirm the failure.
    const violation = oneSidedViolation(ranked, STAT_QUANTILE[stat], slo);
    if (violation !== undefined) {
      const unit = sloUnit(slo.metric) === 'ms' ? ' ms' : '';
      return {
        ...withStat,
        verdict: 'fail',
        observed,
        ci: null,
        samples: n,
        reason: `${stat} ${slo.metric} ${observed}${unit}: even its ${slo.op.startsWith('<') ? 'lower' : 'upper'} 97.5% confidence bound (${round(violation)}${unit}) violates ${slo.op} ${slo.threshold}${unit} (n=${n}, too few for a two-sided interval)`,
      };
    }
  }
  if (estimate.ci === null) {
    return { ...withStat, ...tooFew(n, need, slo, behind, rate), observed, ci: null };
  }
  const decided = decide(slo, estimate.value, estimate.ci, n, behind);
  if (decided.verdict === 'inconclusive' && !behind) {
    // Straddles: the interval narrows about as 1/sqrt(n), so it clears the threshold at roughly
    // n * (half-width / distance)^2 samples, if the estimate stays where it is.
    const [lo, hi] = estimate.ci;
    const distance = Math.abs(estimate.value - slo.threshold);
    const half = Math.max(estimate.value - lo, hi - estimate.value);
    if (distance > 0 && half > 0) {
      const more = Math.ceil(n * (half / distance) ** 2);
      const needed = needOf(more, rate);
      return {
        ...withStat,
        ...decided,
        needed,
        reason: `${stat} ${slo.metric} ${observed} ms, 95% CI [${round(lo)}, ${round(hi)}] ms straddles ${slo.op} ${slo.threshold} ms (n=${n}); about ${fmtCount(more)} samples would decide it if the estimate holds${atRate(needed)}`,
      };
    }
    return {
      ...withStat,
      ...decided,
      reason: `${stat} ${slo.metric} ${observed} ms equals the threshold ${slo.threshold} ms; no sample size decides it`,
    };
  }
  return { ...withStat, ...decided };
}

/** Why an SLO has no traffic by design (its endpoint is not in the plan's mix), or null. */
function notApplicable(slo: Slo, load: Omit<LoadInfo, 'scenarios'>): string | null {
  if (!load.endpoints || slo.metric === 'achieved_rate') return null;
  const shares = Object.fromEntries(load.endpoints.map((e) => [e, 1]));
  if (endpointShare(slo, shares) > 0) return null;
  const what = slo.endpoint ?? 'streamed endpoints';
  return `not applicable: the plan sends no ${what} requests (mix: ${load.endpoints.join(', ')})`;
}

function overloadReason(
  slo: Slo,
  result: CollectorResult,
  load: LoadInfo,
  opts: Required<SloEvaluationOptions>,
): string | null {
  if (opts.hostOverloads.length === 0) return null;
  const span = scopeSpan(slo, result, load);
  return overloadDuring(opts.hostOverloads, span);
}

function worstOverloadMs(
  slo: Slo,
  result: CollectorResult,
  load: LoadInfo,
  opts: Required<SloEvaluationOptions>,
): number {
  const span = scopeSpan(slo, result, load);
  return opts.hostOverloads
    .filter((o) => o.fromS < span.toS && o.toS > span.fromS)
    .reduce((max, o) => Math.max(max, o.maxDelayMs), 0);
}

/** The scope's time span, seconds after the time origin. */
function scopeSpan(slo: Slo, result: CollectorResult, load: LoadInfo): TimeSpan {
  const window = slo.scope?.window;
  if (window) return { fromS: window.fromS, toS: window.toS };
  const scenario = slo.scope?.scenario;
  const phase = slo.scope?.phase;
  const sources = scenario !== undefined ? [load.scenarios?.[scenario]] : Object.values(load.scenarios ?? {});
  const phases = sources
    .flatMap((s) => s?.phases ?? [])
    .filter((p) => phase === undefined || p.name === phase);
  if (phases.length > 0) {
    return {
      fromS: Math.min(...phases.map((p) => p.startS)),
      toS: Math.max(...phases.map((p) => p.startS + p.durationS)),
    };
  }
  return { fromS: 0, toS: Math.max(result.durationS, load.durationS) };
}

function achievedRate(
  base: Base,
  slo: Slo,
  result: CollectorResult,
  load: Omit<LoadInfo, 'scenarios'>,
  opts: Required<SloEvaluationOptions>,
): SloVerdict {
  const target = load.targetRate;
  const samples = load.iterations ?? result.samples + load.droppedIterations;
  if (target === null || !(target > 0)) {
    return {
      ...base,
      verdict: 'inconclusive',
      observed: null,
      ci: null,
      samples,
      reason: 'no target rate: achieved_rate needs an open-model (arrival-rate) scenario',
    };
  }
  let achieved = load.achievedRate;
  const window = slo.scope?.window;
  if (window) {
    // Requests started in the window (and scenario/phase) per second of it.
    const matches = requestMatcher(result.table, filterOf(result, slo));
    let started = 0;
    for (let i = 0; i < result.table.length; i++) if (matches(i)) started++;
    achieved = started / (window.toS - window.fromS);
  }
  const observed = achieved / target;
  const met = compare(observed, slo.op, slo.threshold);
  const what = `achieved ${round(achieved, 2)} req/s of a target of ${round(target, 2)} req/s (ratio ${round(observed, 4)})`;
  if (!met && lagging(load, opts)) {
    // The generator started iterations late: it was short of CPU, so the missing requests say nothing
    // about the target.
    return {
      ...base,
      verdict: 'inconclusive',
      observed: round(observed, 4),
      ci: null,
      samples,
      reason: `${what} misses ${slo.op} ${slo.threshold}, but the load generator itself started iterations up to ${round(load.maxSchedulingLagMs ?? 0)} ms late (limit ${opts.maxSchedulingLagMs} ms): the shortfall is the generator's, not the target's`,
    };
  }
  return {
    ...base,
    verdict: met ? 'pass' : 'fail',
    observed: round(observed, 4),
    ci: null,
    samples,
    reason: `${what} ${met ? 'meets' : 'misses'} ${slo.op} ${slo.threshold}; a count, no interval`,
  };
}

function decide(slo: Slo, value: number, ci: Interval | null, n: number, behind: string | null): Decided {
  const digits = slo.metric === 'error_rate' ? 6 : 3;
  const shownCi: Interval | null = ci ? [round(ci[0], digits), round(ci[1], digits)] : null;
  const observed = round(value, digits);
  if (!ci) {
    return {
      verdict: 'inconclusive',
      observed,
      ci: null,
      samples: n,
      reason: behind ?? 'no confidence interval',
    };
  }
  const side = ciSide(ci, slo.op, slo.threshold);
  // A generator that fell behind under-reports latency (requests it could not send would have waited even
  // longer), so its figures are lower bounds: they can still prove an upper-bound SLO violated, never met.
  const upperBound = slo.op === '<' || slo.op === '<=';
  if (behind && !(side === 'bad' && upperBound && isLatencyMetric(slo.metric))) {
    return { verdict: 'inconclusive', observed, ci: shownCi, samples: n, reason: behind };
  }
  const what =
    `${slo.stat ?? (isLatencyMetric(slo.metric) ? DEFAULT_LATENCY_STAT : '')} ${slo.metric}`.trim();
  const unit = sloUnit(slo.metric) === 'ms' ? ' ms' : '';
  const interval = `95% CI [${shownCi?.[0]}, ${shownCi?.[1]}]${unit}`;
  if (side === 'good') {
    return {
      verdict: 'pass',
      observed,
      ci: shownCi,
      samples: n,
      reason: `${what} ${observed}${unit}, ${interval}, entirely within ${slo.op} ${slo.threshold}${unit}`,
    };
  }
  if (side === 'bad') {
    return {
      verdict: 'fail',
      observed,
      ci: shownCi,
      samples: n,
      reason: `${what} ${observed}${unit}, ${interval}, entirely violates ${slo.op} ${slo.threshold}${unit}${behind ? ' (the load generator fell behind, so the true latency is higher still)' : ''}`,
    };
  }
  return { verdict: 'inconclusive', observed, ci: shownCi, samples: n, reason: STRADDLES };
}

/** An inconclusive error rate, with the number of requests that would decide it. */
function errorRateNeed(slo: Slo, failed: number, n: number, rate: number | null, decided: Decided): Decided {
  const pct = `${round(slo.threshold * 100, 4)} %`;
  const errors = `${failed} error${failed === 1 ? '' : 's'} in ${fmtCount(n)} requests`;
  const upper = slo.op === '<' || slo.op === '<=';
  const fraction = failed / n;
  const showGood = upper ? fraction < slo.threshold : fraction > slo.threshold;
  const total = showGood
    ? upper
      ? requestsToShowErrorRate(failed, slo.threshold, n)
      : requestsToShowErrorRateAbove(failed, n, slo.threshold)
    : upper
      ? requestsToShowErrorRateAbove(failed, n, slo.threshold)
      : requestsToShowErrorRate(failed, slo.threshold, n);
  if (total === undefined) {
    return { ...decided, reason: `${errors} (${STRADDLES} ${slo.op} ${pct}; the observed rate is on it)` };
  }
  const needed = needOf(total, rate);
  const goal = showGood ? `show ${slo.op} ${pct}` : `show it violates ${slo.op} ${pct}`;
  return {
    ...decided,
    needed,
    reason: `${errors} cannot ${goal}: about ${fmtCount(total)} are needed at this error rate${atRate(needed)}`,
  };
}

/** Samples per second of an SLO's scope (its endpoint's share of the traffic included), or null. */
function scopeRate(
  result: CollectorResult,
  slo: Slo,
  load: Omit<LoadInfo, 'scenarios'>,
  samples: number,
): number | null {
  const durationS = scopeDurationS(result, slo, load);
  return samples > 0 && durationS > 0 ? samples / durationS : null;
}

function needOf(samples: number, rate: number | null): SloNeed {
  return {
    samples,
    durationS: rate ? Math.ceil(samples / rate) : null,
    ratePerS: rate === null ? null : round(rate, 2),
  };
}

function atRate(needed: SloNeed): string {
  if (needed.durationS === null || needed.ratePerS === null) return '';
  return `, ${fmtDuration(needed.durationS)} at this scope's ${needed.ratePerS} samples/s`;
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

function fmtDuration(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${round(s / 60, 1)} min`;
  return `${round(s / 3600, 1)} h`;
}

/** Where a whole interval lies relative to `op threshold`. */
export function ciSide(ci: Interval, op: SloOp, threshold: number): 'good' | 'bad' | 'straddles' {
  const [lo, hi] = ci;
  if (compare(lo, op, threshold) && compare(hi, op, threshold)) return 'good';
  if (!compare(lo, op, threshold) && !compare(hi, op, threshold)) return 'bad';
  return 'straddles';
}

/** `value op threshold`, e.g. compare(250, '<', 300) is true. */
export function compare(value: number, op: SloOp, threshold: number): boolean {
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
  }
}

function tooFew(
  n: number,
  need: number,
  slo: Slo,
  behind: string | null = null,
  rate: number | null = null,
): Pick<SloVerdict, 'verdict' | 'samples' | 'reason' | 'needed'> {
  if (behind) return { verdict: 'inconclusive', samples: n, reason: behind };
  const none = n === 0 && slo.scope ? '; the scope matched no requests' : '';
  const needed = needOf(need, rate);
  const what = isLatencyMetric(slo.metric)
    ? `a 95 % interval on ${slo.stat ?? DEFAULT_LATENCY_STAT} ${slo.metric} needs >= ${fmtCount(need)} samples`
    : `needs >= ${fmtCount(need)}`;
  return {
    verdict: 'inconclusive',
    samples: n,
    needed,
    reason: `too few samples (n=${fmtCount(n)}; ${what}${atRate(needed)})${none}`,
  };
}

function filterOf(result: CollectorResult, slo: Slo) {
  const window = slo.scope?.window;
  return {
    scenario: slo.scope?.scenario,
    phase: slo.scope?.phase,
    endpoint: slo.endpoint,
    fromMs: window ? result.timeOriginMs + window.fromS * 1000 : undefined,
    toMs: window ? result.timeOriginMs + window.toS * 1000 : undefined,
  };
}

/** The slice an SLO is about: merged histograms, or rebuilt from the request table for a time window. */
function scoped(result: CollectorResult, slo: Slo): AggregateStats {
  const filter = filterOf(result, slo);
  if (slo.scope?.window) return aggregateRequests(result.table, filter);
  return mergeMatching(result.groups, filter);
}

function scopeDurationS(result: CollectorResult, slo: Slo, load: Omit<LoadInfo, 'scenarios'>): number {
  const window = slo.scope?.window;
  if (window) return window.toS - window.fromS;
  if (slo.scope?.scenario !== undefined || slo.scope?.phase !== undefined) {
    const agg = mergeMatching(result.groups, filterOf(result, slo));
    if (agg.count > 0) return startSpanS(agg);
  }
  return load.durationS > 0 ? load.durationS : startSpanS(result.overall);
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * The one-sided order-statistic bound that can prove a violation with few samples: for "< threshold" the
 * lower bound of the quantile (rank floor(nq - z*sqrt(nq(1-q)))), for "> threshold" the upper one. Returns
 * the bound when it exists and violates the SLO.
 */
function oneSidedViolation(ranked: RankedHistogram, q: number, slo: Slo): number | undefined {
  const n = ranked.n;
  if (n === 0) return undefined;
  const spread = Z_95 * Math.sqrt(n * q * (1 - q));
  if (slo.op === '<' || slo.op === '<=') {
    const rank = Math.floor(n * q - spread);
    if (rank < 1) return undefined;
    const bound = ranked.valueAtRank(rank);
    return compare(bound, slo.op, slo.threshold) ? undefined : bound;
  }
  const rank = Math.ceil(n * q + spread) + 1;
  if (rank > n) return undefined;
  const bound = ranked.valueAtRank(rank);
  return compare(bound, slo.op, slo.threshold) ? undefined : bound;
}
