import { statesOf } from '../../core/platform/component.js';
import type { StackHandle } from '../../core/platform/platform.js';
import { servesMetrics } from '../../core/platform/roles.js';
import { MetricsScraper } from '../../runner/collectors/metrics-scraper.js';

/** One scrape a second: the server series in every report share this step. */
export const scrapeIntervalMs = 1_000;

/**
 * Scrapes the /metrics of every up component of a stack the run owns. Frozen components are skipped (a
 * scrape would only time out), and the harness reaches each one past any fault proxy (`reach`), so a
 * network fault on a link does not blind the scraper that should show its effect.
 */
export function startScrapes(stack: StackHandle): MetricsScraper {
  return new MetricsScraper(
    async () =>
      Promise.all(
        (await statesOf(stack.components())).flatMap(({ component: c, state }) =>
          servesMetrics(c.role) && c.url && state !== 'stopped' && state !== 'frozen'
            ? [stack.reach(c.url).then((url) => ({ role: c.role, id: c.id, url }))]
            : [],
        ),
      ),
    scrapeIntervalMs,
  ).start();
}
