import type { RankedHistogram } from './ranked-histogram.js';

/** Two-sided 95 %: the z the reports use everywhere. */
export const Z_95 = 1.959963984540054;

export type Interval = [number, number];

/**
 * The ranks (1-based) of the order statistics that bound a distribution-free confidence interval for the
 * q-quantile of n samples: the number of samples below the true quantile is Binomial(n, q), approximated as
 * normal, so the bounds are the ranks nq -/+ z*sqrt(nq(1-q)), widened outwards to whole ranks
 * (lower = floor, upper = ceil + 1 as the usual continuity step). Undefined when a bound falls outside
 * [1, n]: the sample is too small to bound that quantile at all.
 */
export function quantileCiRanks(
  n: number,
  q: number,
  z = Z_95,
): { lower: number; upper: number } | undefined {
  if (n <= 0) return undefined;
  const center = n * q;
  const spread = z * Math.sqrt(n * q * (1 - q));
  const lower = Math.floor(center - spread);
  const upper = Math.ceil(center + spread) + 1;
  if (lower < 1 || upper > n) return undefined;
  return { lower, upper };
}

/** The smallest n for which quantileCiRanks(n, q) exists (bounded search; q in (0, 1)). */
export function minSamplesForQuantile(q: number, z = Z_95): number {
  // Start from the closed-form estimate of n(1-q) >= z*sqrt(nq(1-q)) + 2 and walk; both bounds must fit.
  let n = 1;
  const limit = 100_000_000;
  const step = (m: number) => quantileCiRanks(m, q, z) !== undefined;
  // Exponential search for an n that works, then binary search down to the smallest; validity is
  // monotone in n for the ranges used here (p50 .. p99.9).
  while (!step(n) && n < limit) n *= 2;
  let lo = Math.floor(n / 2);
  let hi = n;
  while (lo + 1 < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (step(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export interface Estimate {
  value: number;
  /** null when the sample is too small to give one. */
  ci: Interval | null;
}

/**
 * Nearest-rank q-quantile of a histogram with its order-statistic confidence interval. When the values are
 * correlated in clusters (the gaps of one stream), `effectiveN` below n widens the interval: the ranks are
 * those of effectiveN independent values, placed at the same fractions of the pooled n.
 */
export function quantileWithCi(
  ranked: RankedHistogram,
  q: number,
  z = Z_95,
  effectiveN = ranked.n,
): Estimate {
  const value = ranked.quantile(q);
  const n = ranked.n;
  const m = Math.min(n, Math.floor(effectiveN));
  const ranks = quantileCiRanks(m, q, z);
  if (!ranks) return { value, ci: null };
  const lower = m === n ? ranks.lower : Math.max(1, Math.floor((ranks.lower / m) * n));
  const upper = m === n ? ranks.upper : Math.min(n, Math.ceil((ranks.upper / m) * n));
  return { value, ci: [ranked.valueAtRank(lower), ranked.valueAtRank(upper)] };
}

/** The fewest samples for which a mean gets a normal-approximation interval. */
export const MIN_SAMPLES_FOR_MEAN = 30;

export function meanWithCi(ranked: RankedHistogram, z = Z_95, effectiveN = ranked.n): Estimate {
  const n = Math.min(ranked.n, effectiveN);
  if (n < MIN_SAMPLES_FOR_MEAN) return { value: ranked.meanMs, ci: null };
  const half = (z * ranked.stdDevMs) / Math.sqrt(n);
  return { value: ranked.meanMs, ci: [ranked.meanMs - half, ranked.meanMs + half] };
}

/**
 * Wilson score interval for a proportion k/n. Chosen over the normal (Wald) interval because error counts
 * are usually tiny: with 0 errors it still gives an upper bound (about z^2/n) instead of [0, 0].
 */
export function wilsonInterval(k: number, n: number, z = Z_95): Interval | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // At the edges the bound is exact (0 or 1), not a rounding residue of the formula.
  return [k <= 0 ? 0 : Math.max(0, center - half), k >= n ? 1 : Math.min(1, center + half)];
}

/** Normal approximation of a Poisson count's interval, for rates (count / duration). */
export function poissonInterval(count: number, z = Z_95): Interval {
  const half = z * Math.sqrt(Math.max(count, 1));
  return [Math.max(0, count - half), count + half];
}
