import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { readServerSeries } from '../runner/prometheus/prometheus-series.js';
import { startPrometheus } from '../runner/prometheus/prometheus-server.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';

const hasPrometheus = existsSync('/usr/bin/prometheus');

describe.skipIf(!hasPrometheus)('a real Prometheus scraping a real local stack', () => {
  useTempGauntletHome();
  afterAll(() => expect(aliveProcesses()).toEqual([]));

  it('scrapes every component and gives the report its server series by PromQL', async () => {
    await using stack = await upLocalStack('');
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-prom-'));
    await using prometheus = await startPrometheus({ runId: stack.runId, dir, scrapeIntervalMs: 500 });
    const targets = stack
      .components()
      .flatMap((c) =>
        c.url && c.role !== 'etcd' ? [{ role: c.role, id: c.id, node: c.node, url: c.url }] : [],
      );
    await prometheus.setTargets(targets);
    const startMs = Date.now();

    // Bounded wait until every target has been scraped up at least twice.
    const selector = `gauntlet_run="${stack.runId}"`;
    let up = 0;
    for (let i = 0; i < 60 && up < targets.length; i++) {
      await sleep(250);
      const q = new URLSearchParams({ query: `count(up{${selector}} == 1)` });
      const body = (await (await fetch(`${prometheus.url}/api/v1/query?${q}`)).json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      up = Number(body.data.result[0]?.value[1] ?? 0);
    }
    expect(up).toBe(targets.length);
    await sleep(1_200);

    const series = await readServerSeries(prometheus.url, {
      startMs,
      endMs: Date.now(),
      stepMs: 500,
      timeOriginMs: startMs,
      selector,
    });
    const last = (component: string, gauge: string) =>
      series.series.find((s) => s.component === component && s.gauge === gauge)?.points.at(-1)?.[1];
    const workers = stack.components({ role: 'worker' }).length;
    expect(last('batchers', 'live_workers')).toBe(workers);
    expect(last('workers', 'replicas')).toBe(workers);
    expect(last('batchers', 'replicas')).toBe(stack.components({ role: 'batcher' }).length);
    expect(last('batchers', 'queue_depth')).toBe(0);
    await prometheus.close();
    expect(existsSync(join(prometheus.dataDir, 'wal'))).toBe(true);
  }, 90_000);
});
