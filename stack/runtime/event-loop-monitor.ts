import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** The metric the harness reads to tell "the stack was slow" from "the stack's host was short of CPU". */
export const EVENT_LOOP_DELAY_METRIC = 'gauntlet_event_loop_delay_seconds';

/**
 * Registers `gauntlet_event_loop_delay_seconds{stat="max"|"p99"}`: how late this process's timers fired
 * since the previous scrape (Node's monitorEventLoopDelay, sampling every 10 ms). A process that waits for
 * CPU fires its timers late, so a large delay says that latency measured meanwhile was the host's, not the
 * service's. Each scrape reads and restarts the window; with more than one scraper each sees the delays
 * since whichever scraped last, which can only split a late interval, never hide it from both.
 */
export function registerEventLoopDelay(registry: Registry): void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  new Gauge({
    name: EVENT_LOOP_DELAY_METRIC,
    help: 'Event-loop delay since the previous scrape (seconds): max and p99; large means the host was short of CPU',
    labelNames: ['stat'] as const,
    registers: [registry],
    collect() {
      // The histogram holds nanoseconds; an empty window (no sample yet) reads as 0, not as NaN.
      const seconds = (ns: number) => (Number.isFinite(ns) && histogram.count > 0 ? ns / 1e9 : 0);
      this.set({ stat: 'max' }, seconds(histogram.max));
      this.set({ stat: 'p99' }, seconds(histogram.percentile(99)));
      histogram.reset();
    },
  });
}
