import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EVENT_LOOP_DELAY_METRIC, registerEventLoopDelay } from './event-loop-monitor.js';

const maxOf = async (registry: Registry) => {
  const metric = await registry.getSingleMetric(EVENT_LOOP_DELAY_METRIC)?.get();
  return metric?.values.find((v) => v.labels.stat === 'max')?.value ?? Number.NaN;
};

describe('registerEventLoopDelay', () => {
  it('reports a blocked event loop as a large max delay, then starts a new window', async () => {
    const registry = new Registry();
    registerEventLoopDelay(registry);
    await new Promise((r) => setTimeout(r, 50));
    // Block the loop for 300 ms: the monitor's next timer fires ~300 ms late.
    const until = Date.now() + 300;
    while (Date.now() < until) {
      // busy on purpose
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(await maxOf(registry)).toBeGreaterThan(0.2);
    // The window restarted at the scrape: an idle loop stays far under the blocked one.
    await new Promise((r) => setTimeout(r, 100));
    expect(await maxOf(registry)).toBeLessThan(0.2);
    expect(await registry.metrics()).toMatch(/gauntlet_event_loop_delay_seconds\{stat="p99"\}/);
  });
});
