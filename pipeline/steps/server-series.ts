import type { ServerMetrics } from '../../reports/run-result.js';
import { EVENT_LOOP_DELAY_GAUGE } from '../../reports/slo/host-overload.js';
import type { ServerMetricsPoint } from '../../runner/collectors/metrics-scraper.js';
import { workloadSeries } from './workload-series.js';

const gauges: Array<{ key: keyof ServerMetricsPoint; component: string; gauge: string; unit?: string }> = [
  { key: 'queueDepth', component: 'batchers', gauge: 'queue_depth', unit: 'requests' },
  { key: 'batchSizeMean', component: 'batchers', gauge: 'batch_size_mean', unit: 'requests' },
  { key: 'runningSequences', component: 'workers', gauge: 'running_sequences', unit: 'sequences' },
  { key: 'waitingSequences', component: 'workers', gauge: 'waiting_sequences', unit: 'sequences' },
  { key: 'liveWorkers', component: 'batchers', gauge: 'live_workers', unit: 'workers' },
  { key: 'gatewayInflight', component: 'gateway', gauge: 'inflight_requests', unit: 'requests' },
];

/** Scraped points as the run result's series, in seconds after the run's first request. */
export function serverSeries(
  points: ServerMetricsPoint[],
  timeOriginMs: number,
  intervalMs: number,
): ServerMetrics {
  return {
    scrapeIntervalMs: points.length > 0 ? intervalMs : null,
    series: [
      ...gauges.map(({ key, component, gauge, unit }) => ({
        component,
        gauge,
        ...(unit ? { unit } : {}),
        points: points.flatMap((p) => {
          const value = p[key];
          return typeof value === 'number' && key !== 't'
            ? [[(p.t - timeOriginMs) / 1000, value] as [number, number]]
            : [];
        }),
      })),
      ...eventLoopDelaySeries(points, timeOriginMs),
      ...workloadSeries(points, timeOriginMs),
    ],
  };
}

/** One series per component: its largest event-loop delay of each scrape interval (ms). */
function eventLoopDelaySeries(points: ServerMetricsPoint[], timeOriginMs: number): ServerMetrics['series'] {
  const ids = [...new Set(points.flatMap((p) => Object.keys(p.eventLoopDelayMaxMs ?? {})))].sort();
  return ids.map((id) => ({
    component: id,
    gauge: EVENT_LOOP_DELAY_GAUGE,
    unit: 'ms',
    points: points.flatMap((p) => {
      const value = p.eventLoopDelayMaxMs?.[id];
      return value === undefined ? [] : [[(p.t - timeOriginMs) / 1000, value] as [number, number]];
    }),
  }));
}
