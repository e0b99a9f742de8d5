import type { ServerSeries } from '../../reports/run-result.js';
import type { ServerMetricsPoint } from '../../runner/collectors/metrics-scraper.js';

/**
 * What the workload options did on the server side, from the workers' counters in the scrapes: the prefix
 * cache's hit ratio per scrape interval and cancelled sequences per interval as series, and the whole run's
 * figures as notes. Counters restart when a worker does; a drop is read as a restart (its increase is
 * then the new value), so a restart never shows as a negative.
 */

type CounterKey = 'prefixQueriedTokens' | 'prefixHitTokens' | 'cancelledSequences';

function increases(points: readonly ServerMetricsPoint[], key: CounterKey): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let previous: number | undefined;
  for (const point of points) {
    const value = point[key];
    if (value === undefined) continue;
    if (previous !== undefined) out.push([point.t, value >= previous ? value - previous : value]);
    previous = value;
  }
  return out;
}

const total = (deltas: ReadonlyArray<[number, number]>) => deltas.reduce((sum, [, d]) => sum + d, 0);
const atS = (t: number, originMs: number) => (t - originMs) / 1000;

export function workloadSeries(points: readonly ServerMetricsPoint[], timeOriginMs: number): ServerSeries[] {
  const queried = increases(points, 'prefixQueriedTokens');
  const hit = new Map(increases(points, 'prefixHitTokens'));
  const cancelled = increases(points, 'cancelledSequences');
  const series: ServerSeries[] = [];
  const ratio = queried.flatMap(
    ([t, q]): Array<[number, number]> => (q > 0 ? [[atS(t, timeOriginMs), (hit.get(t) ?? 0) / q]] : []),
  );
  if (ratio.length > 0) {
    series.push({ component: 'workers', gauge: 'prefix_cache_hit_ratio', unit: 'ratio', points: ratio });
  }
  if (total(cancelled) > 0) {
    series.push({
      component: 'workers',
      gauge: 'cancelled_sequences',
      unit: 'sequences',
      points: cancelled.map(([t, d]) => [atS(t, timeOriginMs), d]),
    });
  }
  return series;
}

export function workloadNotes(points: readonly ServerMetricsPoint[]): string[] {
  const notes: string[] = [];
  const queried = total(increases(points, 'prefixQueriedTokens'));
  const hit = total(increases(points, 'prefixHitTokens'));
  if (queried > 0) {
    notes.push(
      `prefix cache (workers' /metrics, over the scrapes): ${hit} of ${queried} prompt tokens looked up were ` +
        `hits (${((100 * hit) / queried).toFixed(1)} %), prefill they skipped`,
    );
  }
  const cancelled = total(increases(points, 'cancelledSequences'));
  if (cancelled > 0) {
    notes.push(`cancelled by their clients: ${cancelled} sequences, dropped by the workers before their end`);
  }
  return notes;
}
