import { ENDPOINTS } from '../model/kinds.js';
import type { MetricSummary, RunResult } from '../run-result.js';
import { decodeHistogram, mergeHistograms } from '../stats/latency-histogram.js';
import { RankedHistogram } from '../stats/ranked-histogram.js';
import { chartJsSource } from './chart-js-source.js';
import {
  detectionText,
  escapeHtml,
  ms,
  num,
  percent,
  recoveryText,
  sloCi,
  sloObjective,
  sloValue,
  verdictWord,
} from './format.js';
import { htmlPageOpening } from './html-page-head.js';
import { REPORT_SCRIPT } from './html-report-script.js';
import { replayHtml } from './replay-summary.js';

export interface HtmlOptions {
  /** Chart.js UMD source to inline; default: the installed chart.js. */
  chartJs?: string;
}

/** Buckets of the latency distribution chart. */
const DISTRIBUTION_BUCKETS = 40;

/**
 * report.html: one self-contained page (no network: Chart.js inlined, the data embedded as JSON, a CSP
 * that forbids any fetch). Charts: latency percentiles over time, the latency distribution, request rate
 * and errors over time, server queue depth and batch sizes over time; fault windows shaded on every time
 * chart, plus the SLO, metrics and fault tables.
 */
export function renderHtml(run: RunResult, options: HtmlOptions = {}): string {
  const data = chartData(run);
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = `Gauntlet run ${run.runId}: ${verdictWord(run.verdict)}`;
  const overall = run.metrics.overall;
  const target = run.target.kind === 'url' ? run.target.url : `platform ${run.target.platform}`;

  return `${htmlPageOpening(title)}table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #e5e7eb; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f9fafb; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict { display: inline-block; padding: 1px 8px; border-radius: 4px; font-weight: 600; color: #fff; }
.verdict.pass { background: #15803d; } .verdict.fail { background: #b91c1c; } .verdict.inconclusive { background: #b45309; } .verdict.not_applicable { background: #6b7280; }
.banner { font-size: 1.1rem; margin: 0.5rem 0 1rem; }
.meta { color: #4b5563; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 0.25rem; }
.chart { position: relative; height: 300px; }
.notes li { margin: 0.2rem 0; }
</style>
</head>
<body>
<header>
<h1>Gauntlet run ${escapeHtml(run.runId)}</h1>
<p class="banner">Verdict: <span class="verdict ${run.verdict}" id="run-verdict">${verdictWord(run.verdict)}</span>${run.complete ? '' : ' <strong>incomplete run</strong>'}</p>
<p class="meta">${escapeHtml(`${num(overall.count, 0)} requests over ${num(overall.durationS, 1)} s against ${target}; started ${run.startedAt}, ended ${run.endedAt}; seed ${run.seed}; Gauntlet ${run.versions.gauntlet}${run.gitCommit ? ` (${run.gitCommit.slice(0, 12)})` : ''}`)}</p>
</header>

<section id="slos">
<h2>SLOs</h2>
${sloTable(run)}
</section>

<section id="charts">
<h2>Charts</h2>
<div class="charts">
<figure><figcaption>Latency percentiles over time (e2e solid, TTFT dashed)</figcaption><div class="chart"><canvas id="chart-latency" aria-label="Latency percentiles over time" role="img"></canvas></div></figure>
<figure><figcaption>Latency distribution (successful requests)</figcaption><div class="chart"><canvas id="chart-distribution" aria-label="Latency distribution" role="img"></canvas></div></figure>
<figure><figcaption>Request rate and errors over time</figcaption><div class="chart"><canvas id="chart-rate" aria-label="Request rate and errors over time" role="img"></canvas></div></figure>
<figure><figcaption>Server: queue depth, batch sizes and replicas over time${data.server.length === 0 ? ' (no server metrics were scraped)' : ''}, ${escapeHtml(serverSource(run))}</figcaption><div class="chart"><canvas id="chart-server" aria-label="Server gauges over time" role="img"></canvas></div></figure>
</div>
</section>

<section id="metrics">
<h2>Key metrics</h2>
${metricsTable(run)}
</section>
${replayHtml(run)}${faultsSection(run)}
${notesSection(run)}
<script type="application/json" id="gauntlet-data">${json}</script>
<script>${options.chartJs ?? chartJsSource()}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

interface ChartData {
  endS: number;
  timeline: {
    t: number[];
    started: number[];
    completed: number[];
    failed: number[];
    errors: Record<string, number[]>;
    e2eP50: Array<number | null>;
    e2eP95: Array<number | null>;
    e2eP99: Array<number | null>;
    ttftP50: Array<number | null>;
    ttftP95: Array<number | null>;
    ttftP99: Array<number | null>;
  };
  distribution: { labels: string[]; datasets: Array<{ label: string; counts: number[] }> };
  server: Array<{ label: string; x: number[]; y: number[]; dashed: boolean }>;
  faults: Array<{ id: string; label: string; fromS: number; toS: number }>;
}

/** Which source the server charts come from, in the words the caption uses. */
export function serverSource(run: RunResult): string {
  const source = run.serverMetrics.source;
  if (source?.kind !== 'prometheus') return "source: Gauntlet's own /metrics scrapes";
  const where = source.selector ? `${source.url} {${source.selector}}` : (source.url ?? 'Prometheus');
  return `source: Prometheus ${where}${source.dataDir ? ` (the run's own; TSDB kept in ${source.dataDir})` : ''}`;
}

function chartData(run: RunResult): ChartData {
  const tl = run.timeline;
  const kinds = new Set<string>();
  for (const p of tl) for (const kind of Object.keys(p.errors)) kinds.add(kind);
  const errors: Record<string, number[]> = {};
  for (const kind of kinds)
    errors[kind] = tl.map((p) => (p.errors as Record<string, number | undefined>)[kind] ?? 0);
  const endS = Math.max(1, tl.length, ...run.serverMetrics.series.flatMap((s) => s.points.map((p) => p[0])));

  const faults = (run.faults ?? []).map((f) => {
    const toS =
      f.revertedAtS ?? (f.recoveredAfterMs !== null ? f.injectedAtS + f.recoveredAfterMs / 1000 : endS);
    return { id: f.id, label: `${f.id} (${f.action})`, fromS: f.injectedAtS, toS };
  });

  return {
    endS,
    timeline: {
      t: tl.map((p) => p.t),
      started: tl.map((p) => p.started),
      completed: tl.map((p) => p.completed),
      failed: tl.map((p) => p.failed),
      errors,
      e2eP50: tl.map((p) => p.e2e?.p50 ?? null),
      e2eP95: tl.map((p) => p.e2e?.p95 ?? null),
      e2eP99: tl.map((p) => p.e2e?.p99 ?? null),
      ttftP50: tl.map((p) => p.ttft?.p50 ?? null),
      ttftP95: tl.map((p) => p.ttft?.p95 ?? null),
      ttftP99: tl.map((p) => p.ttft?.p99 ?? null),
    },
    distribution: distribution(run),
    server: run.serverMetrics.series
      .filter((s) => s.points.length > 0)
      .map((s) => ({
        label: `${s.component} ${s.gauge}`,
        x: s.points.map((p) => p[0]),
        y: s.points.map((p) => p[1]),
        dashed: s.gauge.startsWith('batch_size'),
      })),
    faults,
  };
}

/** e2e per endpoint (and TTFT of streamed chat) in shared log-spaced buckets, from the serialised HDRs. */
function distribution(run: RunResult): ChartData['distribution'] {
  const series: Array<{ label: string; ranked: RankedHistogram }> = [];
  const add = (label: string, endpoint: string, metric: string) => {
    const parts = run.histograms.filter((h) => h.endpoint === endpoint && h.metric === metric);
    if (parts.length === 0) return;
    const ranked = new RankedHistogram(mergeHistograms(parts.map((h) => decodeHistogram(h.data))));
    if (ranked.n > 0) series.push({ label, ranked });
  };
  for (const ep of ENDPOINTS) add(`${ep} e2e`, ep, 'e2e');
  add('chat_stream TTFT', 'chat_stream', 'ttft');
  if (series.length === 0) return { labels: [], datasets: [] };

  const lo = Math.max(0.01, Math.min(...series.map((s) => s.ranked.minMs)));
  const hi = Math.max(lo * 1.01, ...series.map((s) => s.ranked.maxMs));
  const ratio = (hi / lo) ** (1 / DISTRIBUTION_BUCKETS);
  const edges = Array.from({ length: DISTRIBUTION_BUCKETS }, (_, i) => lo * ratio ** (i + 1));
  edges[edges.length - 1] = hi;
  const labels = edges.map((e) => (e < 10 ? e.toFixed(2) : e < 100 ? e.toFixed(1) : e.toFixed(0)));
  const datasets = series.map(({ label, ranked }) => {
    const counts = new Array<number>(DISTRIBUTION_BUCKETS).fill(0);
    for (const bucket of ranked.buckets()) {
      let i = bucket.valueMs <= lo ? 0 : Math.ceil(Math.log(bucket.valueMs / lo) / Math.log(ratio)) - 1;
      i = Math.min(DISTRIBUTION_BUCKETS - 1, Math.max(0, i));
      counts[i] = (counts[i] ?? 0) + bucket.count;
    }
    return { label, counts };
  });
  return { labels, datasets };
}

function sloTable(run: RunResult): string {
  if (run.slos.length === 0) return '<p>No SLOs were evaluated.</p>';
  const rows = run.slos
    .map(
      (slo) => `<tr data-slo-id="${escapeHtml(slo.id)}" data-verdict="${slo.verdict}">
<td><span class="verdict ${slo.verdict}">${verdictWord(slo.verdict)}</span></td><td>${escapeHtml(slo.id)}${slo.description ? `<br><small>${escapeHtml(slo.description)}</small>` : ''}</td>
<td>${escapeHtml(sloObjective(slo))}</td><td class="num">${escapeHtml(sloValue(slo.observed, slo.unit))}</td><td class="num">${escapeHtml(sloCi(slo))}</td>
<td class="num">${escapeHtml(sloValue(slo.threshold, slo.unit))}</td><td class="num">${num(slo.samples, 0)}</td><td>${escapeHtml(slo.reason)}</td></tr>`,
    )
    .join('\n');
  return `<table id="slo-table">
<thead><tr><th>Verdict</th><th>SLO</th><th>Objective</th><th>Observed</th><th>95% CI</th><th>Threshold</th><th>n</th><th>Reason</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function metricsTable(run: RunResult): string {
  const row = (m: MetricSummary) => {
    const p99 = m.e2e?.p99;
    const cells = [
      ms(m.e2e?.p50.value),
      ms(m.e2e?.p95.value),
      p99 ? `${ms(p99.value)}${p99.ci ? ` (${num(p99.ci[0], 1)} .. ${num(p99.ci[1], 1)})` : ''}` : '-',
      ms(m.ttft?.p99.value),
      ms(m.itl?.p99.value),
      ms(m.tpot?.p50.value),
      `${num(m.throughputRps, 1)} req/s`,
      num(m.outputTokensPerS, 0),
      m.goodputRps === null ? '-' : `${num(m.goodputRps, 1)} req/s`,
    ];
    return `<tr><td>${escapeHtml(m.endpoint ?? 'all')}</td><td class="num">${num(m.count, 0)}</td><td class="num">${num(m.count - m.ok, 0)}</td><td class="num">${percent(m.errorRate)}</td>${cells.map((c) => `<td class="num">${escapeHtml(c)}</td>`).join('')}</tr>`;
  };
  return `<table id="metrics-table">
<thead><tr><th>Endpoint</th><th>Requests</th><th>Errors</th><th>Error rate</th><th>p50 e2e</th><th>p95 e2e</th><th>p99 e2e (95% CI)</th><th>p99 TTFT</th><th>p99 ITL</th><th>p50 TPOT</th><th>Throughput</th><th>Output tokens/s</th><th>Goodput</th></tr></thead>
<tbody>
${[...run.metrics.endpoints, run.metrics.overall].map(row).join('\n')}
</tbody>
</table>`;
}

function faultsSection(run: RunResult): string {
  if (!run.faults || run.faults.length === 0) return '';
  const rows = run.faults
    .map((f) => {
      const windows = f.windows
        .map((w) => {
          const verdicts = (w.slos ?? []).map((s) => `${s.id} ${verdictWord(s.verdict)}`).join(', ');
          return `${w.name} ${num(w.fromS, 1)}-${num(w.toS, 1)} s${verdicts ? `: ${verdicts}` : ''}`;
        })
        .join('; ');
      return `<tr data-fault-id="${escapeHtml(f.id)}"><td><span class="verdict ${f.verdict}">${verdictWord(f.verdict)}</span></td><td>${escapeHtml(f.id)}</td><td>${escapeHtml(f.action)}</td><td>${escapeHtml(f.targets.join(', '))}</td>
<td class="num">${num(f.injectedAtS, 1)} s</td><td class="num">${escapeHtml(detectionText(f))}</td><td class="num">${escapeHtml(recoveryText(f))}</td>
<td class="num">${num(f.failedRequests, 0)}</td><td class="num">${f.streamsCut === undefined ? '-' : num(f.streamsCut, 0)}</td><td>${escapeHtml(windows)}</td></tr>`;
    })
    .join('\n');
  return `
<section id="faults">
<h2>Faults</h2>
<table id="fault-table">
<thead><tr><th>Verdict</th><th>Fault</th><th>Action</th><th>Targets</th><th>Injected at</th><th>Detected after</th><th>Recovered after</th><th>Failed requests</th><th>Streams cut</th><th>Windows</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

function notesSection(run: RunResult): string {
  if (run.notes.length === 0) return '';
  return `
<section id="notes">
<h2>Notes</h2>
<ul class="notes">
${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}
</ul>
</section>`;
}
