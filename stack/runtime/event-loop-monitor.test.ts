import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DELAY_HOLD_MS, EVENT_LOOP_DELAY_METRIC, registerEventLoopDelay } from './event-loop-monitor.js';

const statOf = async (registry: Registry, stat: 'max' | 'p99') => {
  const metric = await registry.getSingleMetric(EVENT_LOOP_DELAY_METRIC)?.get();
  return metric?.values.find((v) => v.labels.stat === stat)?.value ?? Number.NaN;
};

function blockLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy on purpose
  }
}

describe('registerEventLoopDelay', () => {
  it('reports a blocked event loop as a large max delay, and keeps it for the scrapes of the next 3 s', async () => {
    let clock = 1_000_000;
    const registry = new Registry();
    registerEventLoopDelay(registry, () => clock);
    await new Promise((r) => setTimeout(r, 50));
    // Block the loop for 300 ms: the monitor's next timer fires ~300 ms late.
    blockLoop(300);
    await new Promise((r) => setTimeout(r, 50));
    // The scrape that read it may never reach its scraper (a starved process answers late): the next ones
    // still carry it, as long as they come within the hold.
    expect(await statOf(registry, 'max')).toBeGreaterThan(0.2);
    await new Promise((r) => setTimeout(r, 100));
    clock += 1_000;
    expect(await statOf(registry, 'max')).toBeGreaterThan(0.2);
    // p99 is the window's own: the idle loop since the previous scrape.
    expect(await statOf(registry, 'p99')).toBeLessThan(0.2);
    clock += DELAY_HOLD_MS;
    await new Promise((r) => setTimeout(r, 50));
    expect(await statOf(registry, 'max')).toBeLessThan(0.2);
  });
});
