import type { ServerMetrics } from '../../reports/run-result.js';
import { type ServerQuery, serverQueries, withSelector } from './server-queries.js';

export interface SeriesRange {
  /** Unix ms; the run's time range. */
  startMs: number;
  endMs: number;
  stepMs: number;
  /** Points are stamped in seconds after this (the run's first request). */
  timeOriginMs: number;
  /** PromQL label matchers that select the run's components, e.g. `gauntlet_run="r1"`. */
  selector: string;
}

interface RangeResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: Array<{ values: Array<[number, string]> }> };
}

/**
 * Reads the server-side series of a run from any Prometheus (the run's own, or a cluster's) over the run's
 * time range. A query with no data gives an empty series rather than an error: not every stack exports
 * every metric, and the report says which were there.
 */
export async function readServerSeries(
  prometheusUrl: string,
  range: SeriesRange,
  queries: readonly ServerQuery[] = serverQueries,
  fetchImpl: typeof fetch = fetch,
): Promise<ServerMetrics> {
  const series = await Promise.all(
    queries.map(async (q) => {
      const params = new URLSearchParams({
        query: withSelector(q.promql, range.selector),
        start: (range.startMs / 1000).toFixed(3),
        end: (range.endMs / 1000).toFixed(3),
        step: String(Math.max(1, Math.round(range.stepMs)) / 1000),
      });
      const response = await fetchImpl(`${prometheusUrl.replace(/\/$/, '')}/api/v1/query_range?${params}`, {
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json()) as RangeResponse;
      if (body.status !== 'success') {
        throw new Error(
          `Prometheus at ${prometheusUrl} refused "${params.get('query')}": ${body.error ?? response.status}`,
        );
      }
      return {
        component: q.component,
        gauge: q.gauge,
        unit: q.unit,
        points: pointsOf(body, range.timeOriginMs),
      };
    }),
  );
  return { scrapeIntervalMs: range.stepMs, series: series.filter((s) => s.points.length > 0) };
}

export function pointsOf(body: RangeResponse, timeOriginMs: number): Array<[number, number]> {
  const first = body.data?.result[0];
  if (!first) return [];
  return first.values.flatMap(([t, v]) => {
    const value = Number(v);
    return Number.isFinite(value) ? [[t - timeOriginMs / 1000, value] as [number, number]] : [];
  });
}
