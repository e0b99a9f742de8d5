import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunJson } from '../reports/render/write-reports.js';
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

describe.skipIf(!hasPrometheus)('gauntlet gate --prometheus', () => {
  it("leaves a Prometheus whose series cover the run, named as the source of the report's server charts", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-prom-gate-'));
    const out = join(dir, 'gate');
    const env = { ...process.env, GAUNTLET_HOME: join(dir, 'home') };
    const args = ['gate', '--platform', 'local', '--suite', 'quick', '--config', writeSmallConfig(dir)];
    const result = await runCli([...args, '--prometheus', '--no-progress', '--out', out], env, 240_000);
    // Pass, fail or inconclusive on this shared host: the verdict is not this test's subject, an error is.
    expect([0, 1, 2], result.stdout + result.stderr).toContain(result.code);
    const url = /prometheus: (http:\/\/127\.0\.0\.1:\d+)/.exec(result.stderr)?.[1];
    expect(url, result.stderr).toBeDefined();

    // run.json and the HTML report name the run's own Prometheus as the source of the server series.
    const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
    const dataDir = join(out, 'prometheus', 'data');
    expect(run.serverMetrics.source).toEqual({
      kind: 'prometheus',
      url,
      selector: expect.stringMatching(/^gauntlet_run="[^"]+"$/),
      dataDir,
    });
    const selector = run.serverMetrics.source?.selector ?? '';
    const runId = /"(.+)"/.exec(selector)?.[1] ?? '';
    // The HTML escapes the quotes of the selector and the apostrophe.
    const html = (text: string) => text.replaceAll('"', '&quot;').replaceAll("'", '&#39;');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(
      html(`source: Prometheus ${url} {${selector}} (the run's own; TSDB kept in ${dataDir})`),
    );
    const replicas = run.serverMetrics.series.find(
      (s) => s.component === 'workers' && s.gauge === 'replicas',
    );
    expect(replicas?.points.length).toBeGreaterThan(10);
    expect(Math.max(...(replicas?.points ?? []).map((p) => p[1]))).toBe(2);

    // Nothing left running: the run's Prometheus is down and its port closed.
    expect(processesWithArg(`--config.file=${join(out, 'prometheus', 'prometheus.yml')}`)).toEqual([]);
    await expect(fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();

    // The TSDB it left covers the run: k6's series over the load, the stack's scrapes before and after it.
    await using reopened = await startPrometheus({ runId, dir: join(out, 'prometheus') });
    const sampleTimes = async (series: string) => {
      const params = new URLSearchParams({
        query: `timestamp(${series})`,
        start: String(Date.parse(run.startedAt) / 1000),
        end: String(Date.parse(run.endedAt) / 1000 + 60),
        step: '1',
      });
      const body = (await (await fetch(`${reopened.url}/api/v1/query_range?${params}`)).json()) as {
        data: { result: Array<{ values: Array<[number, string]> }> };
      };
      const times = (body.data.result[0]?.values ?? []).map(([, v]) => Number(v));
      return { first: Math.min(...times), last: Math.max(...times) };
    };
    const k6 = await sampleTimes(`sum(k6_vus{testid="${runId}"})`);
    const gateway = await sampleTimes(`max(up{${selector},role="gateway"})`);
    const loadS = run.scenarios.reduce((sum, s) => sum + s.durationS, 0);
    expect(loadS).toBeGreaterThan(10);
    expect(k6.last - k6.first).toBeGreaterThan(0.8 * loadS);
    expect(gateway.first).toBeLessThanOrEqual(k6.first);
    expect(gateway.last).toBeGreaterThanOrEqual(k6.last);
  }, 260_000);
});
