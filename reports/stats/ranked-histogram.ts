import type { JsHistogram } from 'hdr-histogram-js';
import { type LatencyHistogram, MICROS_PER_MS } from './latency-histogram.js';

/**
 * A histogram flattened into (value, cumulative count) pairs so that the k-th smallest value can be read
 * for any rank k: the order statistics that the percentile confidence intervals need. A value is the
 * highest value equivalent to its bucket, as HdrHistogram's own getValueAtPercentile reports it, so the
 * figures here and there agree; with 3 significant digits the error is below 0.1 %.
 */
export class RankedHistogram {
  readonly n: number;
  readonly meanMs: number;
  readonly stdDevMs: number;
  readonly maxMs: number;
  readonly minMs: number;
  private readonly valuesMs: Float64Array;
  private readonly cumulative: Float64Array;

  constructor(histogram: LatencyHistogram) {
    const js = histogram as unknown as JsHistogram;
    const values: number[] = [];
    const cumulative: number[] = [];
    let total = 0;
    let sum = 0;
    let sumSquares = 0;
    if (histogram.totalCount > 0) {
      // A plain walk over the counts: HdrHistogram-js's RecordedValuesIterator is ~100x slower.
      const length = js.countsArrayLength;
      for (let i = 0; i < length; i++) {
        const count = js.getCountAtIndex(i);
        if (count === 0) continue;
        total += count;
        const value = js.valueFromIndex(i);
        values.push(js.highestEquivalentValue(value) / MICROS_PER_MS);
        cumulative.push(total);
        // Mean and deviation as HdrHistogram computes them (bucket medians), without its slow iterator.
        const median = js.medianEquivalentValue(value) / MICROS_PER_MS;
        sum += median * count;
        sumSquares += median * median * count;
      }
    }
    this.valuesMs = Float64Array.from(values);
    this.cumulative = Float64Array.from(cumulative);
    this.n = total;
    this.meanMs = total > 0 ? sum / total : Number.NaN;
    this.stdDevMs = total > 0 ? Math.sqrt(Math.max(0, sumSquares / total - (sum / total) ** 2)) : Number.NaN;
    this.maxMs = total > 0 ? (values[values.length - 1] ?? Number.NaN) : Number.NaN;
    this.minMs = total > 0 ? (values[0] ?? Number.NaN) : Number.NaN;
  }

  /** The k-th smallest recorded value (1-based rank, clamped to [1, n]), in ms. */
  valueAtRank(rank: number): number {
    if (this.n === 0) return Number.NaN;
    const k = Math.min(Math.max(Math.ceil(rank), 1), this.n);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] ?? 0) >= k) hi = mid;
      else lo = mid + 1;
    }
    return this.valuesMs[lo] ?? Number.NaN;
  }

  /** Nearest-rank quantile: the ceil(q * n)-th smallest value. */
  quantile(q: number): number {
    return this.valueAtRank(Math.max(1, Math.ceil(q * this.n)));
  }

  /** Bucket boundaries and counts for a distribution chart: (value, count) of every non-empty bucket. */
  buckets(): Array<{ valueMs: number; count: number }> {
    const out: Array<{ valueMs: number; count: number }> = [];
    let prev = 0;
    for (let i = 0; i < this.valuesMs.length; i++) {
      const cum = this.cumulative[i] ?? prev;
      out.push({ valueMs: this.valuesMs[i] ?? 0, count: cum - prev });
      prev = cum;
    }
    return out;
  }
}
