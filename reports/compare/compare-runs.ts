import { ENDPOINTS, type Endpoint } from '../model/kinds.js';
import type { MetricSummary, RunResult } from '../run-result.js';
import { type Interval, quantileWithCi, wilsonInterval } from '../stats/intervals.js';
import { decodeHistogram, mergeHistograms } from '../stats/latency-histogram.js';
import { RankedHistogram } from '../stats/ranked-histogram.js';

export interface CompareOptions {
  /** Smallest relative change that counts (0.1 = 10 %). */
  tolerance?: number;
}

export type ComparisonVerdict = 'regression' | 'improvement' | 'no significant change' | 'not comparable';

export interface Measured {
  value: number;
  ci: Interval;
  n: number;
}

export interface MetricComparison {
  endpoint: Endpoint | 'all';
  metric: 'e2e' | 'ttft' | 'itl' | 'error_rate' | 'throughput';
  stat: 'p50' | 'p95' | 'p99' | null;
  unit: 'ms' | 'fraction' | 'req/s';
  betterWhen: 'lower' | 'higher';
  base: Measured | null;
  next: Measured | null;
  /** (next - base) / base; Infinity when base is 0 and next is not; null when not comparable. */
  relativeChange: number | null;
  verdict: ComparisonVerdict;
  reason: string;
}

export interface RunComparison {
  base: { runId: string; startedAt: string };
  next: { runId: string; startedAt: string };
  tolerance: number;
  comparisons: MetricComparison[];
  regressions: number;
  improvements: number;
  hasRegression: boolean;
}

const STATS = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

/**
 * Compares two runs metric by metric: p50/p95/p99 of e2e, TTFT and ITL, error rate and throughput, per
 * endpoint and over all endpoints. Latencies are recomputed from the serialised HDR histograms (merged
 * over scenarios and phases) with their order-statistic 95 % CIs; error rate uses Wilson intervals,
 * throughput the Poisson interval from run.json.
 *
 * The rule, for a metric where lower is better (latency, error rate):
 * - regression: the CIs do not overlap, the new one lying entirely above the base one (new low > base
 *   high), AND the relative change of the point estimates, (new - base) / base, exceeds the tolerance.
 *   (A new CI entirely above the base CI by more than the tolerance is a special case of this.)
 * - improvement: the mirror image (new high < base low and change < -tolerance).
 * - no significant change: anything else; the CIs overlap, or they do not but the change is within the
 *   tolerance (a real but small difference is not worth failing a build over).
 * - not comparable: either run lacks the metric or has too few samples for a CI.
 * For throughput (higher is better) the directions swap. Non-overlap of two 95 % intervals is a
 * conservative test (roughly p < 0.01), which is what a regression gate wants: few false alarms.
 */
export function compareRuns(base: RunResult, next: RunResult, options: CompareOptions = {}): RunComparison {
  const tolerance = options.tolerance ?? 0.1;
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be >= 0 (got ${tolerance})`);
  const comparisons: MetricComparison[] = [];
  const endpoints: Array<Endpoint | 'all'> = [
    ...ENDPOINTS.filter((ep) => hasEndpoint(base, ep) || hasEndpoint(next, ep)),
    'all',
  ];
  for (const endpoint of endpoints) {
    for (const metric of ['e2e', 'ttft', 'itl'] as const) {
      const b = latency(base, endpoint, metric);
      const n = latency(next, endpoint, metric);
      if (!b && !n) continue;
      for (const [stat, q] of STATS) {
        comparisons.push(
          judge(
            { endpoint, metric, stat, unit: 'ms', betterWhen: 'lower' },
            b?.at(q) ?? null,
            n?.at(q) ?? null,
            tolerance,
          ),
        );
      }
    }
    const bs = summary(base, endpoint);
    const ns = summary(next, endpoint);
    comparisons.push(
      judge(
        { endpoint, metric: 'error_rate', stat: null, unit: 'fraction', betterWhen: 'lower' },
        bs ? errorRate(bs) : null,
        ns ? errorRate(ns) : null,
        tolerance,
      ),
    );
    comparisons.push(
      judge(
        { endpoint, metric: 'throughput', stat: null, unit: 'req/s', betterWhen: 'higher' },
        bs ? throughput(bs) : null,
        ns ? throughput(ns) : null,
        tolerance,
      ),
    );
  }
  const regressions = comparisons.filter((c) => c.verdict === 'regression').length;
  return {
    base: { runId: base.runId, startedAt: base.startedAt },
    next: { runId: next.runId, startedAt: next.startedAt },
    tolerance,
    comparisons,
    regressions,
    improvements: comparisons.filter((c) => c.verdict === 'improvement').length,
    hasRegression: regressions > 0,
  };
}

export function hasRegression(comparison: RunComparison): boolean {
  return comparison.comparisons.some((c) => c.verdict === 'regression');
}

function hasEndpoint(run: RunResult, endpoint: Endpoint): boolean {
  return run.metrics.endpoints.some((m) => m.endpoint === endpoint && m.count > 0);
}

function summary(run: RunResult, endpoint: Endpoint | 'all'): MetricSummary | undefined {
  if (endpoint === 'all') return run.metrics.overall.count > 0 ? run.metrics.overall : undefined;
  return run.metrics.endpoints.find((m) => m.endpoint === endpoint);
}

function latency(
  run: RunResult,
  endpoint: Endpoint | 'all',
  metric: 'e2e' | 'ttft' | 'itl',
): { at(q: number): Measured | null } | undefined {
  const parts = run.histograms.filter(
    (h) => h.metric === metric && (endpoint === 'all' || h.endpoint === endpoint),
  );
  if (parts.length === 0) return undefined;
  const ranked = new RankedHistogram(mergeHistograms(parts.map((h) => decodeHistogram(h.data))));
  if (ranked.n === 0) return undefined;
  return {
    at(q) {
      const estimate = quantileWithCi(ranked, q);
      return estimate.ci ? { value: estimate.value, ci: estimate.ci, n: ranked.n } : null;
    },
  };
}

function errorRate(m: MetricSummary): Measured | null {
  const ci = wilsonInterval(m.count - m.ok, m.count);
  return ci ? { value: (m.count - m.ok) / m.count, ci, n: m.count } : null;
}

function throughput(m: MetricSummary): Measured | null {
  return m.throughputCi ? { value: m.throughputRps, ci: m.throughputCi, n: m.ok } : null;
}

function judge(
  what: Pick<MetricComparison, 'endpoint' | 'metric' | 'stat' | 'unit' | 'betterWhen'>,
  base: Measured | null,
  next: Measured | null,
  tolerance: number,
): MetricComparison {
  if (!base || !next) {
    const missing = !base && !next ? 'both runs' : !base ? 'the base run' : 'the new run';
    return {
      ...what,
      base,
      next,
      relativeChange: null,
      verdict: 'not comparable',
      reason: `${missing} lack this metric or have too few samples for a confidence interval`,
    };
  }
  const change =
    base.value === 0
      ? next.value === 0
        ? 0
        : Number.POSITIVE_INFINITY
      : (next.value - base.value) / base.value;
  const above = next.ci[0] > base.ci[1];
  const below = next.ci[1] < base.ci[0];
  const worse = what.betterWhen === 'lower' ? above && change > tolerance : below && change < -tolerance;
  const better = what.betterWhen === 'lower' ? below && change < -tolerance : above && change > tolerance;
  const pct = Number.isFinite(change)
    ? `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %`
    : 'from zero';
  let verdict: ComparisonVerdict = 'no significant change';
  let reason: string;
  if (worse || better) {
    verdict = worse ? 'regression' : 'improvement';
    reason = `${pct}, confidence intervals do not overlap, beyond the ${(tolerance * 100).toFixed(0)} % tolerance`;
  } else if (above || below) {
    reason = `${pct}: confidence intervals do not overlap, but within the ${(tolerance * 100).toFixed(0)} % tolerance`;
  } else {
    reason = `${pct}: confidence intervals overlap`;
  }
  return { ...what, base, next, relativeChange: change, verdict, reason };
}
