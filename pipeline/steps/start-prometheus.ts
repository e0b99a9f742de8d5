import { join } from 'node:path';
import type { FaultJournal } from '../../chaos/faults/fault-journal.js';
import { statesOf } from '../../core/platform/component.js';
import type { StackHandle } from '../../core/platform/platform.js';
import { servesMetrics } from '../../core/platform/roles.js';
import { type HarnessExporter, startHarnessExporter } from '../../runner/prometheus/harness-exporter.js';
import { type StartedPrometheus, startPrometheus } from '../../runner/prometheus/prometheus-server.js';
import type { PrometheusTarget } from '../../runner/prometheus/scrape-targets.js';
import { faultActivity } from './fault-activity.js';
import { scrapeIntervalMs } from './start-scrapes.js';

export interface RunPrometheus {
  server: StartedPrometheus;
  /** The harness's own series (gauntlet_fault_active), scraped by the same Prometheus. */
  exporter: HarnessExporter;
  /** The fault parts' journals, read by the exporter at every scrape; a fault part adds its own. */
  journals: FaultJournal[];
  /** Selects the run's series: the scraped components' and k6's (`testid`). */
  selector: string;
  testId: string;
}

/**
 * --prometheus: a real Prometheus for this run, scraping every component of the stack the run owns (past
 * any fault proxy, like the built-in scrapes) and the harness's exporter, and receiving k6's metrics by
 * remote write. Its TSDB stays in `<out>/prometheus/data` after the run.
 */
export async function startRunPrometheus(
  stack: StackHandle | undefined,
  outDir: string,
  log: (message: string) => void,
): Promise<RunPrometheus> {
  const runId = stack?.runId ?? outDir.split('/').filter(Boolean).at(-1) ?? 'run';
  const server = await startPrometheus({ runId, dir: join(outDir, 'prometheus'), scrapeIntervalMs });
  const journals: FaultJournal[] = [];
  let exporter: HarnessExporter | undefined;
  try {
    exporter = await startHarnessExporter({
      testId: runId,
      faults: () => journals.flatMap((j) => faultActivity(j.entries())),
    });
    await server.setTargets([exporter.target, ...(stack ? await targetsOf(stack) : [])]);
    // The load starts next: its first seconds must have the stack's series beside them.
    await server.waitForFirstScrapes();
  } catch (error) {
    await exporter?.close();
    await server.close();
    throw error;
  }
  log(
    `prometheus: ${server.url} (TSDB kept in ${server.dataDir}); harness series at ${exporter.target.url}/metrics`,
  );
  return { server, exporter, journals, selector: `gauntlet_run="${runId}"`, testId: runId };
}

/**
 * Closes the run's Prometheus, its last moments kept: the exporter is scraped once more after `sinceMs`
 * (every fault rolled back by then) before it closes, so the TSDB ends each fault's series at 0.
 */
export async function closeRunPrometheus(
  prometheus: RunPrometheus,
  sinceMs: number,
  log: (message: string) => void,
): Promise<void> {
  try {
    const waitMs = 3 * scrapeIntervalMs + 2_000;
    if (!(await prometheus.exporter.scrapedSince(sinceMs, waitMs)))
      log(
        `prometheus: no scrape of the harness series in the last ${waitMs} ms; its final values may be missing`,
      );
    await prometheus.exporter.close();
  } finally {
    await prometheus.server.close();
  }
}

async function targetsOf(stack: StackHandle): Promise<PrometheusTarget[]> {
  const states = await statesOf(stack.components());
  return Promise.all(
    states.flatMap(({ component: c }) =>
      servesMetrics(c.role) && c.url
        ? [stack.reach(c.url).then((url) => ({ role: c.role, id: c.id, node: c.node, url }))]
        : [],
    ),
  );
}
