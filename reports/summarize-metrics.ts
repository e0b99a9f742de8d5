import type { RequestFilter } from './collector/aggregate-requests.js';
import type { AggregateStats } from './collector/aggregate-stats.js';
import type { CollectorResult } from './collector/sample-collector.js';
import { LATENCY_METRICS } from './model/kinds.js';
import type { LatencySummary, MetricSummary } from './run-result.js';
import { countGoodRequests, type GoodputCriterion } from './slo/goodput.js';
import { type Estimate, poissonInterval, quantileWithCi, wilsonInterval } from './stats/intervals.js';
import type { LatencyHistogram } from './stats/latency-histogram.js';
import { RankedHistogram } from './stats/ranked-histogram.js';

const round = (x: number, digits = 3) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function roundEstimate(e: Estimate): Estimate {
  return { value: round(e.value), ci: e.ci ? [round(e.ci[0]), round(e.ci[1])] : null };
}

/** n, mean, p50..p99.9 with order-statistic CIs, and max of a latency histogram; null when empty. */
export function summarizeLatency(histogram: LatencyHistogram): LatencySummary | null {
  const ranked = new RankedHistogram(histogram);
  if (ranked.n === 0) return null;
  return {
    n: ranked.n,
    mean: round(ranked.meanMs),
    p50: roundEstimate(quantileWithCi(ranked, 0.5)),
    p90: roundEstimate(quantileWithCi(ranked, 0.9)),
    p95: roundEstimate(quantileWithCi(ranked, 0.95)),
    p99: roundEstimate(quantileWithCi(ranked, 0.99)),
    p999: roundEstimate(quantileWithCi(ranked, 0.999)),
    max: round(ranked.maxMs),
  };
}

/**
 * The run.json summary of one slice: counts, error rate with its Wilson interval, throughput of successful
 * requests with a Poisson interval, output tokens per second, goodput and latency summaries. Rates are
 * per second of `durationS`.
 */
export function summarizeAggregate(
  agg: AggregateStats,
  durationS: number,
  collector: CollectorResult,
  criteria: readonly GoodputCriterion[],
): MetricSummary {
  const failed = agg.count - agg.ok;
  const perS = (x: number) => (durationS > 0 ? x / durationS : 0);
  const filter: RequestFilter = {
    scenario: agg.scenario ?? undefined,
    phase: agg.phase ?? undefined,
    endpoint: agg.endpoint ?? undefined,
  };
  const ci = wilsonInterval(failed, agg.count);
  const throughput = poissonInterval(agg.ok);
  const good = agg.count > 0 ? countGoodRequests(collector.table, criteria, filter).good : 0;
  const latency = Object.fromEntries(
    LATENCY_METRICS.map((metric) => [metric, summarizeLatency(agg.histograms[metric])]),
  ) as Record<(typeof LATENCY_METRICS)[number], LatencySummary | null>;
  return {
    scenario: agg.scenario,
    phase: agg.phase,
    endpoint: agg.endpoint,
    count: agg.count,
    ok: agg.ok,
    errors: { ...agg.errors },
    errorRate: agg.count > 0 ? round(failed / agg.count, 6) : 0,
    errorRateCi: ci ? [round(ci[0], 6), round(ci[1], 6)] : null,
    durationS: round(durationS),
    throughputRps: round(perS(agg.ok)),
    throughputCi: durationS > 0 ? [round(perS(throughput[0])), round(perS(throughput[1]))] : null,
    outputTokens: agg.outputTokens,
    outputTokensPerS: round(perS(agg.outputTokens)),
    goodputRps: durationS > 0 ? round(perS(good)) : null,
    ...latency,
  };
}
