import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** The metric the harness reads to tell "the stack was slow" from "the stack's host was short of CPU". */
export const EVENT_LOOP_DELAY_METRIC = 'gauntlet_event_loop_delay_seconds';

/**
 * How long a delay stays in the reported max after the scrape that first read it. A starved process answers
 * its scrape late, often after the scraper has given up (the harness waits 800 ms), and a window that
 * restarted at that lost scrape would hide the very starvation it measured; held for 3 s, it reaches the
 * next scrapes that get through. The cost: an overload span can read up to 3 s longer than it was.
 */
export const DELAY_HOLD_MS = 3_000;

/**
 * Registers `gauntlet_event_loop_delay_seconds{stat="max"|"p99"}`: how late this process's timers fired
 * (Node's monitorEventLoopDelay, sampling every 10 ms). A process that waits for CPU fires its timers late,
 * so a large delay says that latency measured meanwhile was the host's, not the service's. Each scrape
 * closes a window; `max` is the largest delay of the windows closed in the last DELAY_HOLD_MS (this one
 * included), so neither a lost scrape nor a second scraper can hide a late interval. `p99` is this
 * window's alone.
 */
export function registerEventLoopDelay(registry: Registry, now: () => number = Date.now): void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let recent: Array<{ t: number; maxS: number }> = [];
  new Gauge({
    name: EVENT_LOOP_DELAY_METRIC,
    help: 'Event-loop delay (seconds): max over the last 3 s of scrape windows, p99 since the previous scrape; large means the host was short of CPU',
    labelNames: ['stat'] as const,
    registers: [registry],
    collect() {
      // The histogram holds nanoseconds; an empty window (no sample yet) reads as 0, not as NaN.
      const seconds = (ns: number) => (Number.isFinite(ns) && histogram.count > 0 ? ns / 1e9 : 0);
      const t = now();
      recent = recent.filter((w) => t - w.t < DELAY_HOLD_MS);
      recent.push({ t, maxS: seconds(histogram.max) });
      this.set({ stat: 'max' }, Math.max(...recent.map((w) => w.maxS)));
      this.set({ stat: 'p99' }, seconds(histogram.percentile(99)));
      histogram.reset();
    },
  });
}
