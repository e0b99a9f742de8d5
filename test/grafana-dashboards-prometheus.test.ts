// The Grafana dashboards' queries against a real Prometheus fed the way the README says: k6's built-in
// remote-write output (native histograms) for the run dashboard, a scrape of the stack's metric registries
// for the stack dashboard. Grafana itself cannot run here; what it would send to Prometheus can.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../core/process/free-port.js';
import { SupervisedProcess } from '../core/process/supervised-process.js';
import { projectRoot } from '../core/project-root.js';
import { resolveK6Binary } from '../runner/k6/k6-binary.js';
import { harnessRegistry } from '../runner/prometheus/harness-exporter.js';
import { BatcherMetrics } from '../stack/batcher/batcher-metrics.js';
import { GatewayMetrics } from '../stack/gateway/gateway-metrics.js';
import { FaultState } from '../stack/worker/fault-state.js';
import { createWorkerMetrics } from '../stack/worker/worker-metrics.js';

const prometheusBin = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
const k6Bin = (() => {
  try {
    return resolveK6Binary();
  } catch {
    return '';
  }
})();
const missing = [
  prometheusBin ? '' : 'prometheus (apt-get install prometheus)',
  k6Bin ? '' : 'k6 (npm run setup)',
]
  .filter(Boolean)
  .join(', ');

interface PanelJson {
  type: string;
  title: string;
  targets?: Array<{ expr?: string }>;
  panels?: PanelJson[];
}
interface DashboardJson {
  panels: PanelJson[];
  annotations: { list: Array<{ name: string; expr?: string }> };
}

const testid = `dash-${process.pid}`;
/** What Grafana would put in for the dashboard variables and $__rate_interval (>= 4 scrape/push intervals). */
function asGrafanaSends(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '15s')
    .replaceAll('$testid', testid)
    .replaceAll('$ep', '.*')
    .replaceAll('$instance', '.*');
}

describe.skipIf(missing !== '')(
  `dashboards against a real Prometheus${missing ? ` (skipped: needs ${missing})` : ''}`,
  () => {
    let scratch = '';
    let prometheus: SupervisedProcess | undefined;
    let metricsServer: Server | undefined;
    let ticker: NodeJS.Timeout | undefined;
    let base = '';

    async function query(
      expr: string,
    ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
      const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: [] } };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      return body.data?.result ?? [];
    }

    /** Explicit wait: polls until check() is true or the time is up, saying what it waited for. */
    async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await check().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(
        `${what}: not after ${timeoutMs} ms (Prometheus log: ${join(scratch, 'prometheus.log')})`,
      );
    }

    beforeAll(async () => {
      scratch = await mkdtemp(join(tmpdir(), 'gauntlet-dashboards-prom-'));

      // The stack's registries, served on 127.0.0.1 and moving (a bounded ticker) so every series has data.
      const gateway = new GatewayMetrics(() => 2);
      const batcher = new BatcherMetrics({
        queueDepth: () => 3,
        inFlightSequences: () => 5,
        liveWorkers: () => 2,
      });
      const faults = new FaultState();
      faults.merge({ slowdown: 4 });
      const worker = createWorkerMetrics(
        () => ({ running: 4, waiting: 1, kvUsedTokens: 500, kvCapacityTokens: 1000 }),
        faults,
      );
      // Each service registers its own event-loop delay metric (one process each in a real stack): served
      // together here, it is kept once.
      batcher.registry.removeSingleMetric('gauntlet_event_loop_delay_seconds');
      worker.registry.removeSingleMetric('gauntlet_event_loop_delay_seconds');
      // The harness's fault-journal series, as a chaos run in force exports it (runner/prometheus).
      const harness = harnessRegistry({
        testId: testid,
        faults: () => [{ faultId: 'kill-worker', action: 'kill', target: 'worker-a-0', active: true }],
      });
      const registry = Registry.merge([gateway.registry, batcher.registry, worker.registry, harness]);
      let ticks = 0;
      const tick = () => {
        if (++ticks > 600) return; // bounded: 2 minutes at most
        gateway.requests.labels('/infer', '200').inc();
        gateway.duration.labels('/infer').observe(0.2 + (ticks % 5) / 100);
        gateway.timeToFirstToken.labels('/v1/chat/completions').observe(0.05);
        gateway.retries.inc();
        gateway.streamsResumed.inc();
        gateway.streamCuts.inc();
        gateway.ejections.labels('batcher-1').inc();
        batcher.batchSize.observe(8);
        batcher.queueWaitSeconds.observe(0.01);
        batcher.redispatches.inc();
        batcher.streamsResumed.inc();
        batcher.request('ok');
        batcher.reject('queue_full');
        batcher.ejection('worker-1');
        worker.observer.step?.('decode', 20, 4);
        worker.observer.promptTokens?.(100);
        worker.observer.failed?.('gpu_error');
        worker.observer.finished?.();
        worker.batchAccepted();
        worker.rejected('draining');
      };
      tick();
      ticker = setInterval(tick, 200);
      metricsServer = createServer((_req, res) => {
        void registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        });
      });
      await new Promise<void>((resolve) => metricsServer?.listen(0, '127.0.0.1', resolve));
      const address = metricsServer.address();
      const metricsPort = typeof address === 'object' && address ? address.port : 0;

      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      await writeFile(
        join(scratch, 'prometheus.yml'),
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: gauntlet-stack\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`,
      );
      prometheus = SupervisedProcess.start({
        command: prometheusBin,
        args: [
          `--config.file=${join(scratch, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(scratch, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--web.enable-remote-write-receiver',
          '--enable-feature=native-histograms',
        ],
        logFile: join(scratch, 'prometheus.log'),
        detached: false,
      });
      await waitFor('Prometheus ready', async () => (await fetch(`${base}/-/ready`)).ok, 30_000);

      // k6 with our scenario metrics module, no network traffic of its own: 80 iterations in 4 s.
      const metricsModule = join(projectRoot(), 'scenarios/lib/k6/gauntlet-metrics.ts');
      await writeFile(
        join(scratch, 'emit.ts'),
        `import exec from 'k6/execution';
import { addRequestMetrics, addScheduleLag } from '${metricsModule}';
export const options = {
  scenarios: { emit: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '4s', preAllocatedVUs: 2, maxVUs: 4 } },
};
export default function () {
  const i = exec.scenario.iterationInTest;
  const failed = i % 10 === 0;
  addRequestMetrics(
    failed
      ? { e2eMs: undefined, ttftMs: undefined, itlMs: [], tpotMs: undefined, outputTokens: 0, error: 'server_error' }
      : { e2eMs: 200 + (i % 7) * 10, ttftMs: 40, itlMs: [10, 12, 11], tpotMs: 11, outputTokens: 4, error: undefined },
    i % 2 ? 'chat' : 'infer',
  );
  addScheduleLag(1);
}
`,
      );
      const k6 = spawnSync(
        k6Bin,
        [
          'run',
          '--quiet',
          '--no-summary',
          '--address',
          '',
          '--out',
          'experimental-prometheus-rw',
          '--tag',
          `testid=${testid}`,
          join(scratch, 'emit.ts'),
        ],
        {
          encoding: 'utf8',
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            K6_PROMETHEUS_RW_SERVER_URL: `${base}/api/v1/write`,
            K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true',
            K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
            K6_AUTO_EXTENSION_RESOLUTION: 'false',
            K6_NO_USAGE_REPORT: 'true',
          },
        },
      );
      if (k6.status !== 0) throw new Error(`k6 exited ${k6.status}:\n${k6.stdout}\n${k6.stderr}`);
      await waitFor(
        'k6 series in Prometheus',
        async () => (await query(`k6_vus{testid="${testid}"}`)).length > 0,
        15_000,
      );
      await waitFor(
        'three scrapes of the stack',
        async () => Number((await query('count_over_time(up[1m])'))[0]?.value[1]) >= 3,
        15_000,
      );
    }, 120_000);

    afterAll(async () => {
      if (ticker) clearInterval(ticker);
      await prometheus?.stop();
      await new Promise<void>((resolve) =>
        metricsServer ? metricsServer.close(() => resolve()) : resolve(),
      );
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });

    async function dashboard(name: string): Promise<DashboardJson> {
      return JSON.parse(
        await readFile(join(projectRoot(), 'deploy/grafana/dashboards', name), 'utf8'),
      ) as DashboardJson;
    }
    function panels(list: readonly PanelJson[]): PanelJson[] {
      return list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
    }

    /** Queries that are empty on purpose in this setting, each with the reason. */
    const emptyHere = new Map([
      ['k6_dropped_iterations_total', 'k6 dropped no iteration'],
      ['_p99', 'trend-stats series: k6 wrote native histograms instead'],
      ['_p50', 'trend-stats series: k6 wrote native histograms instead'],
    ]);
    const expectedEmpty = (expr: string) => [...emptyHere.keys()].some((k) => expr.includes(k));

    it.each(['gauntlet-run.json', 'gauntlet-stack.json'])(
      '%s: every query returns data (or is empty for a stated reason)',
      async (name) => {
        const d = await dashboard(name);
        const exprs = [
          ...panels(d.panels).flatMap((p) =>
            (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr ?? '' })),
          ),
          ...d.annotations.list.flatMap((a) =>
            a.expr ? [{ where: `annotation ${a.name}`, expr: a.expr }] : [],
          ),
        ];
        expect(exprs.length).toBeGreaterThan(10);
        const empty: string[] = [];
        for (const { where, expr } of exprs) {
          const result = await query(asGrafanaSends(expr));
          const finite = result.filter((r) => Number.isFinite(Number(r.value[1])));
          if (finite.length === 0 && !expectedEmpty(expr)) empty.push(`${where}: ${expr}`);
        }
        expect(empty).toEqual([]);
      },
    );

    it('reads latency percentiles from k6 native histograms in seconds, and the faults as annotations', async () => {
      const p50 = await query(
        asGrafanaSends(
          'histogram_quantile(0.5, sum(rate(k6_gauntlet_e2e_ms_seconds{testid=~"$testid"}[1m])))',
        ),
      );
      // The script's successful requests take 200-260 ms.
      expect(Number(p50[0]?.value[1])).toBeGreaterThan(0.18);
      expect(Number(p50[0]?.value[1])).toBeLessThan(0.28);
      const faultsNow = await query('max by (fault, instance) (gauntlet_worker_fault_active) > 0');
      expect(faultsNow.map((r) => r.metric.fault)).toEqual(['slowdown']);
      const run = await dashboard('gauntlet-run.json');
      const journalAnnotation = run.annotations.list.find((a) => a.expr?.includes('gauntlet_fault_active'));
      const journalNow = await query(asGrafanaSends(journalAnnotation?.expr ?? ''));
      expect(journalNow.map((r) => r.metric)).toEqual([
        { fault_id: 'kill-worker', action: 'kill', target: 'worker-a-0' },
      ]);
      // The run's testid selects it: another run's faults are not annotated.
      const other = (journalAnnotation?.expr ?? '').replaceAll('$testid', 'another-run');
      expect(await query(other)).toEqual([]);
    });
  },
);
