import { join } from 'node:path';
import { statesOf } from '../../core/platform/component.js';
import type { StackHandle } from '../../core/platform/platform.js';
import { servesMetrics } from '../../core/platform/roles.js';
import { type StartedPrometheus, startPrometheus } from '../../runner/prometheus/prometheus-server.js';
import type { PrometheusTarget } from '../../runner/prometheus/scrape-targets.js';
import { scrapeIntervalMs } from './start-scrapes.js';

export interface RunPrometheus {
  server: StartedPrometheus;
  /** Selects the run's series: the scraped components' and k6's (`testid`). */
  selector: string;
  testId: string;
}

/**
 * --prometheus: a real Prometheus for this run, scraping every component of the stack the run owns (past
 * any fault proxy, like the built-in scrapes) and receiving k6's metrics by remote write. Its TSDB stays in
 * `<out>/prometheus/data` after the run.
 */
export async function startRunPrometheus(
  stack: StackHandle | undefined,
  outDir: string,
  log: (message: string) => void,
): Promise<RunPrometheus> {
  const runId = stack?.runId ?? outDir.split('/').filter(Boolean).at(-1) ?? 'run';
  const server = await startPrometheus({ runId, dir: join(outDir, 'prometheus'), scrapeIntervalMs });
  if (stack) await server.setTargets(await targetsOf(stack));
  log(`prometheus: ${server.url} (TSDB kept in ${server.dataDir})`);
  return { server, selector: `gauntlet_run="${runId}"`, testId: runId };
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
