import { Gauge, Registry } from 'prom-client';
import { startMetricsServer } from '../../core/metrics/metrics-server.js';
import type { PrometheusTarget } from './scrape-targets.js';

/** One fault on one target, as the harness knows it at scrape time. */
export interface FaultActivity {
  faultId: string;
  action: string;
  /** One component id: a fault on several components is one series each. */
  target: string;
  active: boolean;
}

export interface HarnessExporterOptions {
  /** The run id, the same `testid` k6 tags its series with, so one selector finds the whole run. */
  testId: string;
  /** Read at every scrape: what the run's faults are doing now. */
  faults: () => readonly FaultActivity[];
}

export interface HarnessExporter extends AsyncDisposable {
  /** The scrape target for the run's Prometheus. */
  readonly target: PrometheusTarget;
  /**
   * Resolves true once a scrape has been served at or after `sinceMs` (Unix ms), false if none came within
   * `timeoutMs`: before closing, the last state (every fault rolled back) should be in the TSDB.
   */
  scrapedSince(sinceMs: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The harness's own series: `gauntlet_fault_active{testid, fault_id, action, target}` is 1 while a fault
 * is in force on that target and 0 once it is rolled back, the series the Grafana dashboards' fault
 * annotations read (deploy/grafana).
 */
export function harnessRegistry(options: HarnessExporterOptions): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'gauntlet_fault_active',
    help: 'Fault injected by the harness in force on the target (1) or rolled back (0)',
    labelNames: ['testid', 'fault_id', 'action', 'target'],
    registers: [registry],
    collect() {
      // Rebuilt from the source each time: a label set the source no longer lists must not linger.
      this.reset();
      for (const f of options.faults()) {
        const labels = { testid: options.testId, fault_id: f.faultId, action: f.action, target: f.target };
        // One fault may list a target twice (a node fault): in force if any entry is.
        if (f.active) this.set(labels, 1);
        else this.inc(labels, 0);
      }
    },
  });
  return registry;
}

/** Serves harnessRegistry on 127.0.0.1 for the run's Prometheus to scrape. */
export async function startHarnessExporter(options: HarnessExporterOptions): Promise<HarnessExporter> {
  let lastScrapeMs = 0;
  const waiters = new Set<() => void>();
  const server = await startMetricsServer({
    registry: harnessRegistry(options),
    onScrape: () => {
      lastScrapeMs = Date.now();
      for (const wake of waiters) wake();
    },
  });
  const scrapedSince = (sinceMs: number, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      if (lastScrapeMs >= sinceMs) return resolve(true);
      const done = (scraped: boolean) => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(scraped);
      };
      const wake = () => {
        if (lastScrapeMs >= sinceMs) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      waiters.add(wake);
    });
  const close = () => server.close();
  return {
    target: { role: 'harness', id: 'harness', node: '', url: server.url },
    scrapedSince,
    close,
    [Symbol.asyncDispose]: close,
  };
}
