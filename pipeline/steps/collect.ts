import type { CollectorResult } from '../../reports/collector/sample-collector.js';
import type { ServerMetricsPoint } from '../../runner/collectors/metrics-scraper.js';
import type { RunState } from './run-state.js';

export interface Collected {
  samples: CollectorResult;
  points: ServerMetricsPoint[];
}

/** Stops the scrapes and closes the sample aggregates: from here on nothing is measured. */
export async function collect(state: RunState): Promise<Collected> {
  const points = (await state.scraper?.stop()) ?? [];
  state.scraper = undefined;
  return { samples: state.collector.result(), points };
}
