import type { CollectorResult } from '../../reports/collector/sample-collector.js';
import type { ServerMetrics } from '../../reports/run-result.js';
import { EVENT_LOOP_DELAY_GAUGE } from '../../reports/slo/host-overload.js';
import type { ServerMetricsPoint } from '../../runner/collectors/metrics-scraper.js';
import { readServerSeries } from '../../runner/prometheus/prometheus-series.js';
import { autoscaleNotes, autoscaleSeries } from '../autoscale/autoscale-report.js';
import type { ServerMetricsSource } from '../pipeline-options.js';
import type { RunState } from './run-state.js';
import { serverSeries } from './server-series.js';
import { scrapeIntervalMs } from './start-scrapes.js';
import { workloadNotes } from './workload-series.js';

export interface Collected {
  samples: CollectorResult;
  points: ServerMetricsPoint[];
  /** The report's server charts, from whichever source the run used (and saying which). */
  serverMetrics: ServerMetrics;
}

/** Stops the scrapes and closes the sample aggregates: from here on nothing is measured. */
export async function collect(
  state: RunState,
  source: ServerMetricsSource = { kind: 'scrape' },
): Promise<Collected> {
  const points = (await state.scraper?.stop()) ?? [];
  state.scraper = undefined;
  const samples = state.collector.result();
  const origin = samples.timeOriginMs;
  state.notes.push(...workloadNotes(points));
  const scaler = state.autoscaler;
  await scaler?.stop();
  const trace = scaler && {
    events: scaler.events,
    replicas: scaler.replicas,
    min: state.stack?.config.batchers.autoscale.min_replicas ?? 1,
  };
  if (trace) state.notes.push(...autoscaleNotes(trace, origin, state.scenarios, samples.byScenarioPhase));
  const base = serverSeries(points, origin, scrapeIntervalMs);
  const scraped: ServerMetrics = {
    ...base,
    series: trace ? [...base.series, autoscaleSeries(trace, origin)] : base.series,
    source: { kind: 'scrape' },
  };
  const prometheus =
    source.kind === 'prometheus'
      ? { url: source.url, selector: source.selector }
      : state.prometheus && { url: state.prometheus.server.url, selector: state.prometheus.selector };
  if (!prometheus) return { samples, points, serverMetrics: scraped };
  try {
    const series = await readServerSeries(prometheus.url, {
      startMs: Date.parse(state.startedAt),
      endMs: Date.now(),
      stepMs: scrapeIntervalMs,
      timeOriginMs: origin,
      selector: prometheus.selector,
    });
    // The host-overload rule reads each service's event-loop delay from the built-in scrapes, which run
    // beside Prometheus either way.
    const delays = scraped.series.filter((s) => s.gauge === EVENT_LOOP_DELAY_GAUGE);
    return {
      samples,
      points,
      serverMetrics: {
        ...series,
        series: [...series.series, ...delays, ...(trace ? [autoscaleSeries(trace, origin)] : [])],
        source: {
          kind: 'prometheus',
          url: prometheus.url,
          selector: prometheus.selector,
          ...(state.prometheus ? { dataDir: state.prometheus.server.dataDir } : {}),
        },
      },
    };
  } catch (error) {
    state.notes.push(
      `server series: Prometheus at ${prometheus.url} could not be read (${(error as Error).message.split('\n')[0]}); the report shows the built-in scrapes instead`,
    );
    return { samples, points, serverMetrics: scraped };
  }
}
