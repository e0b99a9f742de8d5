import type { StackHandle } from '../../core/platform/platform.js';
import { MetricsScraper } from '../../runner/collectors/metrics-scraper.js';

/** One scrape a second: the server series in every report share this step. */
export const scrapeIntervalMs = 1_000;

/**
 * Scrapes the /metrics of every live component of a stack the run owns. Frozen components are skipped (a
 * scrape would only time out), and fault proxies are bypassed so a network fault on a link does not blind
 * the scraper that should show its effect.
 */
export function startScrapes(stack: StackHandle): MetricsScraper {
  return new MetricsScraper(
    () =>
      stack
        .components()
        .flatMap((c) =>
          c.role !== 'etcd' && c.url && c.isAlive() && !c.isFrozen()
            ? [{ role: c.role, id: c.id, url: stack.links ? stack.links.directUrl(c.url) : c.url }]
            : [],
        ),
    scrapeIntervalMs,
  ).start();
}
