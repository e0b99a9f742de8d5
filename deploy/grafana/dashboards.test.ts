import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { harnessRegistry } from '../../runner/prometheus/harness-exporter.js';
import { BatcherMetrics } from '../../stack/batcher/batcher-metrics.js';
import { GatewayMetrics } from '../../stack/gateway/gateway-metrics.js';
import { FaultState } from '../../stack/worker/fault-state.js';
import { createWorkerMetrics } from '../../stack/worker/worker-metrics.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..', '..');
const dashboardDir = join(here, 'dashboards');

interface Target {
  expr?: string;
  datasource?: { uid?: string };
}
interface PanelJson {
  id: number;
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
  panels?: PanelJson[];
}
interface DashboardJson {
  uid: string;
  panels: PanelJson[];
  annotations: { list: Array<{ expr?: string; datasource: { uid?: string }; builtIn?: number }> };
  templating: { list: Array<{ name: string; type: string; query?: unknown; datasource?: { uid?: string } }> };
}

async function loadDashboards(): Promise<Map<string, DashboardJson>> {
  const files = (await readdir(dashboardDir)).filter((f) => f.endsWith('.json')).sort();
  const out = new Map<string, DashboardJson>();
  for (const f of files)
    out.set(f, JSON.parse(await readFile(join(dashboardDir, f), 'utf8')) as DashboardJson);
  return out;
}

function allPanels(panels: readonly PanelJson[]): PanelJson[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every PromQL expression of a dashboard: panel targets, annotation queries, variable queries. */
function expressions(d: DashboardJson): string[] {
  const panelExprs = allPanels(d.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
  const annotationExprs = d.annotations.list.flatMap((a) => (a.expr ? [a.expr] : []));
  const variableExprs = d.templating.list.flatMap((v) =>
    typeof v.query === 'object' && v.query !== null ? [String((v.query as { query?: unknown }).query)] : [],
  );
  return [...panelExprs, ...annotationExprs, ...variableExprs];
}

/** Names of Prometheus series an expression reads: gauntlet_* and k6_* identifiers. */
function seriesNames(expr: string): string[] {
  return [...expr.matchAll(/\b(?:k6|gauntlet)_[a-z0-9_]*[a-z0-9]\b/g)].map((m) => m[0]);
}

/**
 * What the reference stack and the harness (its exporter of the fault journal) export: read from the metric
 * registries themselves, histograms expanded.
 */
async function stackSeries(): Promise<Set<string>> {
  const registries = [
    harnessRegistry({ testId: 't', faults: () => [] }),
    new GatewayMetrics(() => 1).registry,
    new BatcherMetrics({ queueDepth: () => 0, inFlightSequences: () => 0, liveWorkers: () => 1 }).registry,
    createWorkerMetrics(
      () => ({ running: 0, waiting: 0, kvUsedTokens: 0, kvCapacityTokens: 1 }),
      new FaultState(),
    ).registry,
  ];
  const names = new Set<string>();
  for (const registry of registries) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram') {
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
      }
    }
  }
  return names;
}

/**
 * What k6's experimental-prometheus-rw output writes for our scenarios' metrics (k6 v1.8.1,
 * internal/output/prometheusrw): prefix k6_; counters _total; rates _rate; trends as native histograms
 * named with the base unit (_seconds for time trends), or in trend-stats mode one gauge per stat (_p99).
 */
async function k6Series(): Promise<Set<string>> {
  const source = await readFile(join(repoRoot, 'scenarios/lib/k6/gauntlet-metrics.ts'), 'utf8');
  const names = new Set(['k6_vus', 'k6_iterations_total', 'k6_dropped_iterations_total']);
  for (const [, kind, name, isTime] of source.matchAll(/new (Trend|Counter|Rate)\('(\w+)'(, true)?\)/g)) {
    if (kind === 'Counter') names.add(`k6_${name}_total`);
    if (kind === 'Rate') names.add(`k6_${name}_rate`);
    if (kind === 'Trend') {
      names.add(`k6_${name}${isTime ? '_seconds' : ''}`);
      for (const stat of ['p50', 'p90', 'p95', 'p99', 'avg', 'max']) names.add(`k6_${name}_${stat}`);
    }
  }
  return names;
}

/** Grafana's variable reference, written with `$` + `{` so that it does not read as a JS template slip. */
const DATASOURCE_VAR = ['$', '{datasource}'].join('');

/**
 * Where Prometheus' own PromQL grammar (@prometheus-io/lezer-promql, the one its web UI uses) finds a syntax
 * error; [] for a valid query. Grafana's range variables are replaced by a duration first, as Grafana does.
 */
function promqlErrors(expr: string): number[] {
  const query = expr.replaceAll(/\$__(?:rate_)?interval\b/g, '1m');
  const errors: number[] = [];
  promql.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
    },
  });
  return errors;
}

describe('Grafana dashboards', () => {
  it('hold only valid PromQL', async () => {
    for (const [file, d] of await loadDashboards()) {
      for (const expr of expressions(d)) {
        // Variable queries are Grafana's label_values(selector, label): the selector is PromQL.
        const query = /^label_values\((.+),\s*\w+\)$/.exec(expr)?.[1] ?? expr;
        expect(promqlErrors(query), `${file}: ${expr}`).toEqual([]);
      }
    }
    // The check can fail: an unbalanced parenthesis is found.
    expect(promqlErrors('histogram_quantile(0.99, sum(rate(x[$__rate_interval]))')).not.toEqual([]);
  });

  it('query only series that the stack or our k6 scenarios really export', async () => {
    const known = new Set([...(await stackSeries()), ...(await k6Series())]);
    const dashboards = await loadDashboards();
    expect([...dashboards.keys()]).toEqual(['gauntlet-run.json', 'gauntlet-stack.json']);
    for (const [file, d] of dashboards) {
      const used = new Set(expressions(d).flatMap(seriesNames));
      expect(used.size, file).toBeGreaterThan(5);
      expect(
        [...used].filter((n) => !known.has(n)),
        file,
      ).toEqual([]);
    }
    // The check can fail: a renamed metric is reported.
    expect(seriesNames('rate(gauntlet_gateway_request_total[1m])').filter((n) => !known.has(n))).toEqual([
      'gauntlet_gateway_request_total',
    ]);
  });

  it('read every query through the datasource variable, with unique panel ids', async () => {
    for (const [file, d] of await loadDashboards()) {
      expect(d.templating.list.find((v) => v.name === 'datasource')?.type, file).toBe('datasource');
      const panels = allPanels(d.panels);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      for (const p of panels.filter((p) => p.type !== 'row')) {
        expect(p.datasource?.uid, `${file}: ${p.title}`).toBe(DATASOURCE_VAR);
        for (const t of p.targets ?? [])
          expect(t.datasource?.uid, `${file}: ${p.title}`).toBe(DATASOURCE_VAR);
      }
      for (const a of d.annotations.list.filter((a) => !a.builtIn)) {
        expect(a.datasource.uid, file).toBe(DATASOURCE_VAR);
      }
    }
  });

  it('annotate faults from the journal series and from the workers', async () => {
    for (const [file, d] of await loadDashboards()) {
      const exprs = d.annotations.list.map((a) => a.expr ?? '');
      expect(
        exprs.some((e) => e.includes('gauntlet_fault_active')),
        file,
      ).toBe(true);
      expect(
        exprs.some((e) => e.includes('gauntlet_worker_fault_active')),
        file,
      ).toBe(true);
    }
  });

  it('are provisioned from this folder with a Prometheus datasource', async () => {
    const dashboards = parse(await readFile(join(here, 'provisioning/dashboards/gauntlet.yaml'), 'utf8')) as {
      apiVersion: number;
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(dashboards.apiVersion).toBe(1);
    expect(dashboards.providers[0]?.type).toBe('file');
    expect(dashboards.providers[0]?.options.path).toMatch(/^\//);
    const datasources = parse(
      await readFile(join(here, 'provisioning/datasources/gauntlet-prometheus.yaml'), 'utf8'),
    ) as { apiVersion: number; datasources: Array<{ type: string; url: string; uid: string }> };
    expect(datasources.apiVersion).toBe(1);
    expect(datasources.datasources[0]).toMatchObject({ type: 'prometheus', uid: 'gauntlet-prometheus' });
    const prometheus = parse(await readFile(join(here, 'prometheus-example.yaml'), 'utf8')) as {
      scrape_configs: Array<{ metrics_path: string; static_configs: Array<{ targets: string[] }> }>;
    };
    expect(prometheus.scrape_configs[0]?.metrics_path).toBe('/metrics');
    expect(prometheus.scrape_configs[0]?.static_configs.flatMap((c) => c.targets).length).toBeGreaterThan(0);
  });
});

/**
 * @grafana/schema publishes the dashboard model as TypeScript types, not as a JSON schema, so the check is
 * a type check: each dashboard becomes an object literal typed as the schema's Dashboard and tsc judges it
 * (wrong types, missing required fields, unknown fields: object literals get excess-property checks).
 * Two adaptations, both for JSON: string enums accept their values ("absolute" for ThresholdsMode.Absolute),
 * and annotation queries may carry their datasource's own fields (a Prometheus annotation's expr, step,
 * titleFormat, tagKeys live there; the schema's AnnotationQuery only knows the built-in ones).
 */
describe('Grafana dashboards against @grafana/schema', () => {
  let scratch = '';
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'gauntlet-dashboard-check-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  const prelude = `import type { AnnotationQuery, Dashboard } from '@grafana/schema';
type AsJson<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T
  : T extends readonly (infer U)[] ? AsJson<U>[] : T extends object ? { [K in keyof T]: AsJson<T[K]> } : T;
type DashboardJson = Omit<AsJson<Dashboard>, 'annotations'> & {
  annotations?: { list?: Array<AsJson<AnnotationQuery> & Record<string, unknown>> };
};
`;

  async function typecheck(files: Record<string, string>): Promise<string> {
    for (const [name, text] of Object.entries(files)) await writeFile(join(scratch, name), text);
    await writeFile(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'esnext',
          moduleResolution: 'bundler',
          target: 'es2022',
          skipLibCheck: true,
          types: [],
          baseUrl: '.',
          paths: {
            '@grafana/schema': [join(repoRoot, 'node_modules/@grafana/schema/dist/types/index.d.ts')],
          },
        },
        files: Object.keys(files),
      }),
    );
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    try {
      await promisify(execFile)(process.execPath, [tsc, '-p', '.'], { cwd: scratch, encoding: 'utf8' });
      return '';
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  }

  it('type-check as Dashboard, and a damaged copy does not', async () => {
    const files: Record<string, string> = {};
    for (const name of (await readdir(dashboardDir)).filter((f) => f.endsWith('.json'))) {
      const json = await readFile(join(dashboardDir, name), 'utf8');
      files[name.replace(/\.json$/, '.ts')] = `${prelude}export const dashboard: DashboardJson = ${json};\n`;
    }
    const damaged = JSON.parse(await readFile(join(dashboardDir, 'gauntlet-run.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    damaged.schemaVersion = 'latest'; // must be a number
    const panel = (damaged.panels as Array<{ gridPos: Record<string, unknown> }>)[1];
    if (panel) panel.gridPos.depth = 2; // no such field
    (damaged.templating as { list: Array<Record<string, unknown>> }).list[0] = {
      name: 'x',
      type: 'dropdown',
    };
    files['damaged.ts'] =
      `${prelude}export const dashboard: DashboardJson = ${JSON.stringify(damaged, null, 2)};\n`;

    const output = await typecheck(files);
    const errorsIn = (file: string) => output.split('\n').filter((l) => l.startsWith(`${file}(`));
    expect(errorsIn('gauntlet-run.ts')).toEqual([]);
    expect(errorsIn('gauntlet-stack.ts')).toEqual([]);
    const damagedErrors = errorsIn('damaged.ts').join('\n');
    expect(damagedErrors).toMatch(/Type 'string' is not assignable to type 'number'/);
    expect(damagedErrors).toMatch(/'"depth"' does not exist/);
    expect(damagedErrors).toMatch(/Type '"dropdown"' is not assignable/);
    expect(output.split('\n').filter((l) => /^\S+\.ts\(/.test(l) && !l.startsWith('damaged.ts('))).toEqual(
      [],
    );
  }, 120_000);
});
