import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leftByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { parseRunJson } from '../reports/render/write-reports.js';
import { startPrometheus } from '../runner/prometheus/prometheus-server.js';
import { runCli, writeSmallConfig } from './support/cli.js';
import { dockerSkipReason } from './support/docker-engine.js';
import { processesWithArg } from './support/process-args.js';

// --prometheus on the docker platform: the run's Prometheus (on the host) scrapes the containers through
// their published ports and the harness exporter, and receives k6's metrics; then all of it goes away.
const skip =
  (await dockerSkipReason()) ??
  (existsSync('/usr/bin/prometheus') ? undefined : 'prometheus is not installed (bin/setup installs it)');

describe.skipIf(skip !== undefined)(
  `gauntlet run --platform docker --prometheus${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it("scrapes the stack's containers into the run's Prometheus, names it as the source, and leaves nothing", async () => {
      const home = mkdtempSync(join(tmpdir(), 'gauntlet-docker-prom-'));
      const out = join(home, 'out');
      // Only what the platform decides is judged (latency on a shared host is not this test's subject).
      const slos = join(home, 'platform-slos.yaml');
      writeFileSync(
        slos,
        'slos:\n  - id: error-rate\n    metric: error_rate\n    op: "<"\n    threshold: 0.5\n',
      );
      const args = ['run', 'smoke', '--platform', 'docker', '--config', writeSmallConfig(home)];
      const result = await runCli(
        [...args, '--slos', slos, '--prometheus', '--out', out],
        { GAUNTLET_HOME: home },
        300_000,
      );
      expect([0, 1, 2], `${result.stdout}\n${result.stderr}`).toContain(result.code);
      const url = /prometheus: (http:\/\/127\.0\.0\.1:\d+)/.exec(result.stderr)?.[1];
      expect(url, result.stderr).toBeDefined();

      const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
      expect(run.target).toEqual({ kind: 'platform', platform: 'docker' });
      expect(run.serverMetrics.source).toMatchObject({ kind: 'prometheus', url });
      const last = (component: string, gauge: string) =>
        run.serverMetrics.series
          .find((s) => s.component === component && s.gauge === gauge)
          ?.points.at(-1)?.[1];
      expect(last('workers', 'replicas')).toBe(2);
      expect(last('batchers', 'replicas')).toBe(1);
      expect(last('batchers', 'live_workers')).toBe(2);

      // Nothing left: the run's Prometheus, and every container and network of the stack.
      expect(processesWithArg(`--config.file=${join(out, 'prometheus', 'prometheus.yml')}`)).toEqual([]);
      const stackRuns = readdirSync(join(home, 'runs'));
      expect(stackRuns).toHaveLength(1);
      expect(await leftByLabel(stackRuns[0] ?? '')).toEqual([]);

      // The TSDB kept: every container was up in it, the harness exporter was scraped, k6 wrote its series.
      const runId = stackRuns[0] ?? '';
      await using reopened = await startPrometheus({ runId, dir: join(out, 'prometheus') });
      const query = async (q: string) => {
        const params = new URLSearchParams({ query: q, time: String(Date.parse(run.endedAt) / 1000) });
        const body = (await (await fetch(`${reopened.url}/api/v1/query?${params}`)).json()) as {
          data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
        };
        return body.data.result;
      };
      const upByRole = await query(
        `max_over_time((count by (role) (up{gauntlet_run="${runId}"} == 1))[10m:1s])`,
      );
      expect(Object.fromEntries(upByRole.map((r) => [r.metric.role, Number(r.value[1])]))).toEqual({
        gateway: 1,
        batcher: 1,
        worker: 2,
        harness: 1,
      });
      const k6 = await query(`max_over_time(sum(k6_iterations_total{testid="${runId}"})[10m:1s])`);
      expect(Number(k6[0]?.value[1])).toBeGreaterThan(0);
    }, 360_000);
  },
);
