import { stringify } from 'yaml';

export interface PrometheusConfigOptions {
  /** How often every component is scraped; the report's server charts have this resolution. */
  scrapeIntervalMs: number;
  /** The file_sd JSON file the harness keeps current (see scrape-targets.ts). */
  targetsFile: string;
}

/** prometheus.yml for one run: one job over the run's components, discovered from a file. */
export function renderPrometheusConfig(options: PrometheusConfigOptions): string {
  const interval = `${Math.max(1, Math.round(options.scrapeIntervalMs))}ms`;
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: 'gauntlet',
        scrape_interval: interval,
        scrape_timeout: `${Math.max(1, Math.min(Math.round(options.scrapeIntervalMs * 0.8), 10_000))}ms`,
        file_sd_configs: [{ files: [options.targetsFile], refresh_interval: '1s' }],
      },
    ],
  });
}
