import type { Endpoint } from '../model/kinds.js';
import { MIN_SAMPLES_FOR_MEAN, minSamplesForQuantile, wilsonInterval, Z_95 } from '../stats/intervals.js';
import { DEFAULT_LATENCY_STAT, isLatencyMetric, type Slo, STAT_QUANTILE } from './slo-schema.js';

/**
 * How much traffic an SLO needs before a healthy system can pass it: the one place where suites, run
 * defaults and the `needed` hints of inconclusive verdicts get their numbers from.
 *
 * - percentile latency: the smallest n whose 95 % order-statistic interval exists (intervals.ts;
 *   563 for p99, 5,943 for p99.9), counted in successful requests of the SLO's endpoint(s);
 * - mean latency: 30 samples;
 * - error_rate `< t`: the n at which the Wilson interval of 0 errors in n lies below t (3,838 for 0.1 %,
 *   381 for 1 %); a healthy system is assumed to have no errors, so any error needs more;
 * - achieved_rate and goodput: nothing (a count; goodput's need depends on its own threshold).
 */
export function samplesNeeded(slo: Slo): number | undefined {
  if (isLatencyMetric(slo.metric)) {
    const stat = slo.stat ?? DEFAULT_LATENCY_STAT;
    return stat === 'mean' ? MIN_SAMPLES_FOR_MEAN : minSamplesForQuantile(STAT_QUANTILE[stat], Z_95);
  }
  if (slo.metric === 'error_rate' && (slo.op === '<' || slo.op === '<=')) {
    return requestsToShowErrorRate(0, slo.threshold);
  }
  return undefined;
}

/**
 * The fewest requests at which `errors` failures (the observed fraction kept) give a Wilson interval
 * wholly below `threshold`; undefined when no number can (the observed fraction is at or above it).
 */
export function requestsToShowErrorRate(
  errors: number,
  threshold: number,
  observedN?: number,
): number | undefined {
  const fraction = observedN && observedN > 0 ? errors / observedN : 0;
  if (fraction >= threshold || threshold <= 0) return undefined;
  const below = (n: number) => (wilsonInterval(Math.round(fraction * n), n)?.[1] ?? 1) < threshold;
  return smallestN(below, Math.max(1, observedN ?? 1));
}

/** The fewest requests at which the observed error fraction's Wilson interval lies wholly above `threshold`. */
export function requestsToShowErrorRateAbove(
  errors: number,
  observedN: number,
  threshold: number,
): number | undefined {
  const fraction = observedN > 0 ? errors / observedN : 0;
  if (fraction <= threshold) return undefined;
  const above = (n: number) => (wilsonInterval(Math.round(fraction * n), n)?.[0] ?? 0) > threshold;
  return smallestN(above, Math.max(1, observedN));
}

const LIMIT = 1_000_000_000;

/** Exponential then binary search for the smallest n >= from where `ok` holds (monotone in n). */
function smallestN(ok: (n: number) => boolean, from: number): number | undefined {
  if (ok(from)) return from;
  let hi = from * 2;
  while (!ok(hi)) {
    if (hi > LIMIT) return undefined;
    hi *= 2;
  }
  let lo = Math.max(from, Math.floor(hi / 2));
  while (lo + 1 < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Endpoint shares of a mix (need not sum to 1; they are normalized). */
export type MixShares = Partial<Record<Endpoint, number>>;

const STREAMED: readonly Endpoint[] = ['chat_stream', 'completions'];

/**
 * The fraction of requests in an SLO's scope that count as its samples: its endpoint's share, streamed
 * endpoints only for TTFT/ITL/TPOT, all requests for an SLO without an endpoint. 0 when the mix sends none.
 */
export function endpointShare(slo: Slo, shares: MixShares): number {
  const total = Object.values(shares).reduce((a, b) => a + (b ?? 0), 0);
  if (!(total > 0)) return 0;
  const share = (e: Endpoint) => (shares[e] ?? 0) / total;
  if (slo.endpoint) return share(slo.endpoint);
  if (slo.metric === 'ttft' || slo.metric === 'itl' || slo.metric === 'tpot') {
    return STREAMED.reduce((a, e) => a + share(e), 0);
  }
  return 1;
}

/**
 * Requests to send into an SLO's scope so that, drawn at random with its endpoint's share p, the endpoint
 * gets the samples it needs with ~97.5 % probability: the smallest N with Np - 2 sqrt(Np(1-p)) >= need.
 * undefined when the SLO needs no particular number, Infinity when the mix sends its endpoint nothing.
 */
export function requestsNeeded(slo: Slo, shares: MixShares): number | undefined {
  const need = samplesNeeded(slo);
  if (need === undefined) return undefined;
  const p = endpointShare(slo, shares);
  if (p <= 0) return Number.POSITIVE_INFINITY;
  if (p >= 1) return need;
  // Solve p x^2 - 2 sqrt(p(1-p)) x - need = 0 for x = sqrt(N).
  const b = 2 * Math.sqrt(p * (1 - p));
  const x = (b + Math.sqrt(b * b + 4 * p * need)) / (2 * p);
  return Math.ceil(x * x);
}

export interface DurationNeed {
  /** Seconds of load at the rate that every SLO given needs (the largest of them). */
  durationS: number;
  /** The SLO that needs the most, and how many requests in its scope. */
  drivenBy: { id: string; requests: number } | undefined;
}

/**
 * Seconds at `rate` req/s for every SLO to get its samples, after `alreadyRequests` that earlier phases
 * in scope supply. SLOs whose endpoint the mix never sends are left out (they are not applicable).
 */
export function durationNeeded(
  slos: readonly Slo[],
  shares: MixShares,
  rate: number,
  alreadyRequests = 0,
): DurationNeed {
  let best: DurationNeed = { durationS: 0, drivenBy: undefined };
  for (const slo of slos) {
    const requests = requestsNeeded(slo, shares);
    if (requests === undefined || !Number.isFinite(requests)) continue;
    const durationS = Math.max(0, Math.ceil((requests - alreadyRequests) / rate));
    if (durationS > best.durationS || best.drivenBy === undefined) {
      best = { durationS, drivenBy: { id: slo.id, requests } };
    }
  }
  return best;
}

/** SLOs that judge a scenario's phase: unscoped ones, and those scoped to it. */
export function slosInScope(slos: readonly Slo[], scenario: string, phase: string): Slo[] {
  return slos.filter(
    (s) =>
      s.scope?.window === undefined &&
      (s.scope?.scenario === undefined || s.scope.scenario === scenario) &&
      (s.scope?.phase === undefined || s.scope.phase === phase),
  );
}

/** Parses `infer:0.5,chat_stream:0.5` into shares (the scenarios validate the text itself). */
export function parseMixShares(text: string): MixShares {
  const shares: MixShares = {};
  for (const item of text.split(',')) {
    const [name = '', weight] = item.split(':').map((s) => s.trim());
    if (name === '') continue;
    const w = weight === undefined ? 1 : Number(weight);
    if (Number.isFinite(w) && w > 0) shares[name as Endpoint] = (shares[name as Endpoint] ?? 0) + w;
  }
  return shares;
}
