import type { StackHandle } from '../../core/platform/platform.js';
import { serverSeries } from '../../pipeline/steps/server-series.js';
import { scrapeIntervalMs, startScrapes } from '../../pipeline/steps/start-scrapes.js';
import { type HostOverload, overloadsInSeries } from '../../reports/slo/host-overload.js';

export interface HostOverloadScrapes extends AsyncDisposable {
  /** For runExperiment's `hostOverloads`: the spans so far where a service's event loop was starved. */
  hostOverloads(): readonly HostOverload[];
}

/**
 * The stack's /metrics scraped as a run scrapes them (pipeline/steps/run-faults.ts), for a test that calls
 * runExperiment itself: its windows and timings then follow the same host-overload rule as the product's,
 * so a host starved by the test's neighbours makes a timing inconclusive instead of failing a healthy stack.
 */
export function scrapeHostOverloads(stack: StackHandle): HostOverloadScrapes {
  const scraper = startScrapes(stack);
  return {
    hostOverloads: () =>
      overloadsInSeries(serverSeries(scraper.points, 0, scrapeIntervalMs).series, scrapeIntervalMs / 1000),
    async [Symbol.asyncDispose]() {
      await scraper.stop();
    },
  };
}
