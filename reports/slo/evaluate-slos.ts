import { aggregateRequests, requestMatcher } from '../collector/aggregate-requests.js';
import { type AggregateStats, mergeMatching, startSpanS } from '../collector/aggregate-stats.js';
import type { CollectorResult } from '../collector/sample-collector.js';
import { combineVerdicts, type Verdict } from '../model/kinds.js';
import {
  type Estimate,
  type Interval,
  MIN_SAMPLES_FOR_MEAN,
  meanWithCi,
  minSamplesForQuantile,
  quantileWithCi,
  wilsonInterval,
  Z_95,
} from '../stats/intervals.js';
import { RankedHistogram } from '../stats/ranked-histogram.js';
import { countGoodRequests, goodputCriteria } from './goodput.js';
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
  /** The same per scenario, for SLOs scoped to one. */
  scenarios?: Record<string, Omit<LoadInfo, 'scenarios'>> | undefined;
}

export interface SloEvaluationOptions {
  /** More dropped iterations than this fraction of all makes every latency SLO inconclusive (0.001). */
  maxDroppedFraction?: number;
  /** A scheduling lag above this makes every latency SLO inconclusive (100 ms). */
  maxSchedulingLagMs?: number;
}

const DEFAULTS: Required<SloEvaluationOptions> = { maxDroppedFraction: 0.001, maxSchedulingLagMs: 100 };

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
  verdict: Verdict;
  /** null when nothing was measured. */
  observed: number | null;
  /** 95 % confidence interval; null when the sample is too small for one. */
  ci: Interval | null;
  samples: number;
  reason: string;
}

export interface SloEvaluation {
  /** fail if any fails, else inconclusive if any is, else pass. */
  verdict: Verdict;
  slos: SloVerdict[];
  /** Why latency figures are not trustworthy (the generator fell behind), or null. */
  loadGeneratorBehind: string | null;
}

export const STRADDLES = 'confidence interval straddles the threshold';

/**
 * Evaluates SLOs on what the collector measured. The rule, the same for every CI-bearing metric: pass when
 * the whole 95 % confidence interval is on the good side of the threshold, fail when it is all on the bad
 * side, inconclusive when it straddles it or cannot be computed (too few samples).
 *
 * - Percentiles: distribution-free interval from order statistics (intervals.ts), read from the histogram.
 * - mean: normal approximation, from 30 samples.
 * - error_rate: Wilson score interval of failed / all requests in scope.
 * - goodput: Wilson interval of good / all requests, times all requests / duration.
 * - achieved_rate: achieved / target rate with no interval: it counts what the generator did, it does not
 *   estimate anything from a sample, so the verdict is the plain comparison (pass or fail). Inconclusive
 *   only without a target rate (closed model).
 * - When the load generator fell behind its schedule (dropped iterations above 0.1 % of iterations, or
 *   scheduling lag above the bound), requests it did not send on time are latency it did not measure
 *   (coordinated omission): the measured latency is a lower bound. A latency SLO whose measured interval
 *   already violates its upper bound still fails; every other latency and goodput verdict is inconclusive.
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
    return `load generator fell behind its schedule (${load.droppedIterations} dropped iterations): latency figures are not trustworthy`;
  }
  if (load.maxSchedulingLagMs !== undefined && load.maxSchedulingLagMs > opts.maxSchedulingLagMs) {
    return `load generator fell behind its schedule (scheduling lag ${round(load.maxSchedulingLagMs)} ms > ${opts.maxSchedulingLagMs} ms): latency figures are not trustworthy`;
  }
  return null;
}

function evaluateOne(
  slo: Slo,
  all: readonly Slo[],
  result: CollectorResult,
  load: LoadInfo,
  opts: Required<SloEvaluationOptions>,
): SloVerdict {
  const base = {
    id: slo.id,
    description: slo.description,
    metric: slo.metric,
    endpoint: slo.endpoint,
    op: slo.op,
    threshold: slo.threshold,
    unit: sloUnit(slo.metric),
    scope: slo.scope,
  };
  const scenarioLoad = (slo.scope?.scenario !== undefined && load.scenarios?.[slo.scope.scenario]) || load;
  const behind = behindReason(scenarioLoad, result.samples, opts);

  if (slo.metric === 'achieved_rate') return achievedRate(base, slo, result, scenarioLoad);

  if (slo.metric === 'error_rate') {
    const agg = scoped(result, slo);
    const failed = agg.count - agg.ok;
    if (agg.count === 0) return { ...base, ...tooFew(0, 1, slo), observed: null, ci: null };
    const ci = wilsonInterval(failed, agg.count);
    return { ...base, ...decide(slo, failed / agg.count, ci, agg.count, null) };
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
  const ranked = new RankedHistogram(scoped(result, slo).histograms[slo.metric]);
  const n = ranked.n;
  let estimate: Estimate;
  let need: number;
  if (stat === 'mean') {
    estimate = meanWithCi(ranked, Z_95);
    need = MIN_SAMPLES_FOR_MEAN;
  } else {
    const q = STAT_QUANTILE[stat];
    estimate = quantileWithCi(ranked, q, Z_95);
    need = minSamplesForQuantile(q, Z_95);
  }
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
  if (estimate.ci === null) return { ...withStat, ...tooFew(n, need, slo, behind), observed, ci: null };
  return { ...withStat, ...decide(slo, estimate.value, estimate.ci, n, behind) };
}

function achievedRate(
  base: Omit<SloVerdict, 'verdict' | 'observed' | 'ci' | 'samples' | 'reason'>,
  slo: Slo,
  result: CollectorResult,
  load: Omit<LoadInfo, 'scenarios'>,
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
  return {
    ...base,
    verdict: met ? 'pass' : 'fail',
    observed: round(observed, 4),
    ci: null,
    samples,
    reason: `achieved ${round(achieved, 2)} req/s of a target of ${round(target, 2)} req/s (ratio ${round(observed, 4)}) ${met ? 'meets' : 'misses'} ${slo.op} ${slo.threshold}; a count, no interval`,
  };
}

function decide(
  slo: Slo,
  value: number,
  ci: Interval | null,
  n: number,
  behind: string | null,
): Pick<SloVerdict, 'verdict' | 'observed' | 'ci' | 'samples' | 'reason'> {
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
): Pick<SloVerdict, 'verdict' | 'samples' | 'reason'> {
  const none = n === 0 && slo.scope ? '; the scope matched no requests' : '';
  return {
    verdict: 'inconclusive',
    samples: n,
    reason: behind ?? `too few samples (n=${n}, need >= ${need})${none}`,
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
