import { readFile } from 'node:fs/promises';

/** A Trend's statistics as the summary export lists them (the scenarios ask for these in summaryTrendStats). */
export interface TrendStats {
  avg: number;
  min: number;
  med: number;
  max: number;
  p90: number;
  p95: number;
  p99: number;
  count: number;
}

export interface ThresholdResult {
  /** Metric, with its tag filter when it has one: `gauntlet_e2e_ms{phase:steady}`. */
  metric: string;
  expression: string;
  ok: boolean;
}

/** What the harness needs from k6's `--summary-export` file. */
export interface K6Summary {
  iterations: number;
  /** Iterations that k6 could not start on schedule (no free VU): coordinated omission in the making. */
  droppedIterations: number;
  httpReqs: number;
  vusMax: number;
  /** How late iterations started against the arrival schedule (gauntlet_schedule_lag_ms). */
  scheduleLagMs: TrendStats | undefined;
  /** Every Trend of the run, submetrics included, by k6's name (iteration_duration, gauntlet_e2e_ms, ...). */
  trends: Record<string, TrendStats>;
  thresholds: ThresholdResult[];
}

type RawMetric = Record<string, unknown> & { thresholds?: Record<string, unknown> };

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function trendOf(metric: RawMetric): TrendStats | undefined {
  if (!('med' in metric) || !('p(99)' in metric)) return undefined;
  return {
    avg: num(metric.avg),
    min: num(metric.min),
    med: num(metric.med),
    max: num(metric.max),
    p90: num(metric['p(90)']),
    p95: num(metric['p(95)']),
    p99: num(metric['p(99)']),
    count: num(metric.count),
  };
}

/**
 * Reads k6's summary export (the default, pre-v1 "legacy" JSON: metrics flattened to their values, each
 * threshold `true` when it *failed*). Metrics without samples are absent: no dropped_iterations means 0.
 */
export function parseK6Summary(text: string): K6Summary {
  const parsed = JSON.parse(text) as { metrics?: Record<string, RawMetric> };
  const metrics = parsed.metrics ?? {};
  const trends: Record<string, TrendStats> = {};
  const thresholds: ThresholdResult[] = [];
  for (const [name, metric] of Object.entries(metrics)) {
    const trend = trendOf(metric);
    if (trend) trends[name] = trend;
    for (const [expression, failed] of Object.entries(metric.thresholds ?? {})) {
      thresholds.push({ metric: name, expression, ok: failed === false });
    }
  }
  return {
    iterations: num(metrics.iterations?.count),
    droppedIterations: num(metrics.dropped_iterations?.count),
    httpReqs: num(metrics.http_reqs?.count),
    vusMax: num(metrics.vus_max?.max ?? metrics.vus_max?.value),
    scheduleLagMs: trends.gauntlet_schedule_lag_ms,
    trends,
    thresholds,
  };
}

/**
 * The summary file, or undefined when k6 did not write one whole (killed before or while writing it, or
 * failed before the test ran).
 */
export async function readK6Summary(file: string): Promise<K6Summary | undefined> {
  try {
    return parseK6Summary(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}
