import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../reports/run-result.js';
import { readServerSeries } from '../runner/prometheus/prometheus-series.js';
import { startPrometheus } from '../runner/prometheus/prometheus-server.js';
import { runCli, writeSmallConfig } from './support/cli.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';
import { processesWithArg } from './support/process-args.js';

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

describe.skipIf(!hasPrometheus)('gauntlet run --prometheus', () => {
  it("keeps a Prometheus whose series cover the run, and the report's server charts name it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-prom-run-'));
    const out = join(dir, 'run');
    const env = { ...process.env, GAUNTLET_HOME: join(dir, 'home') };
    const result = await runCli(
      [
        'run',
        'smoke',
        '--platform',
        'local',
        '--config',
        writeSmallConfig(dir),
        '--prometheus',
        '--out',
        out,
      ],
      env,
      150_000,
    );
    expect(result.stderr).toMatch(/prometheus: http:\/\/127\.0\.0\.1:\d+/);
    // The run's Prometheus went down with the run.
    expect(processesWithArg(`--config.file=${join(out, 'prometheus', 'prometheus.yml')}`)).toEqual([]);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunResult;
    expect(run.serverMetrics.source?.kind).toBe('prometheus');
    const workers = run.serverMetrics.series.find((s) => s.component === 'workers' && s.gauge === 'replicas');
    expect(workers?.points.length).toBeGreaterThan(3);
    expect(Math.max(...(workers?.points ?? []).map((p) => p[1]))).toBe(2);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('source: Prometheus http://127.0.0.1:');

    // The TSDB outlives the run: a Prometheus started on it again still holds the stack's and k6's series.
    await using reopened = await startPrometheus({ runId: run.runId, dir: join(out, 'prometheus') });
    const query = async (q: string) => {
      const body = (await (
        await fetch(
          `${reopened.url}/api/v1/query?${new URLSearchParams({ query: q, time: String(Date.parse(run.endedAt) / 1000) })}`,
        )
      ).json()) as { data: { result: Array<{ value: [number, string] }> } };
      return Number(body.data.result[0]?.value[1] ?? Number.NaN);
    };
    expect(await query('max_over_time(count(up{role="worker"} == 1)[10m:1s])')).toBe(2);
    expect(await query('max_over_time(sum(k6_iterations_total)[10m:1s])')).toBeGreaterThan(0);
  }, 180_000);
});
