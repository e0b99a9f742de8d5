import { chartJsSource } from '../render/chart-js-source.js';
import { escapeHtml } from '../render/format.js';
import { htmlPageOpening } from '../render/html-page-head.js';
import { CAPACITY_SCRIPT } from './capacity-html-script.js';
import type { CapacityResult } from './capacity-result.js';
import { renderCapacityMarkdown } from './render-capacity-markdown.js';

export interface CapacityHtmlOptions {
  /** Chart.js UMD source to inline; default: the installed chart.js. */
  chartJs?: string;
}

/**
 * capacity.html: one self-contained page like report.html (Chart.js inlined, data embedded as JSON, a CSP
 * that forbids any fetch): latency vs offered rate per topology (p50 and p99 e2e with their 95 % CIs as
 * bands, pass/non-pass marked), max rate vs nodes (measured, and the model's line, labelled as a model),
 * and the tables of capacity.md.
 */
export function renderCapacityHtml(result: CapacityResult, options: CapacityHtmlOptions = {}): string {
  const data = {
    topologies: result.topologies.map((t) => ({
      name: t.name,
      nodes: t.nodes,
      gpus: t.gpus,
      maxRate: t.maxRate,
      conclusive: t.conclusive,
      trials: [...t.trials]
        .sort((a, b) => a.offeredRate - b.offeredRate)
        .map((x) => ({ rate: x.offeredRate, verdict: x.verdict, p50: x.e2eP50, p99: x.e2eP99 })),
    })),
    model: result.model
      ? { a: result.model.a, b: result.model.b, predictions: result.model.predictions }
      : null,
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title =
    result.headline?.sentence ??
    `Gauntlet capacity: ${result.topologies.map((t) => `${t.name} ${t.maxRate ?? 'n/a'} req/s`).join(', ')}`;
  return `${htmlPageOpening(title)}.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 1rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 0.25rem; }
.chart { position: relative; height: 320px; }
.banner { font-size: 1.1rem; margin: 0.5rem 0 1rem; }
pre.md { white-space: pre-wrap; font: 12px/1.4 ui-monospace, monospace; background: #f9fafb; padding: 0.75rem; border: 1px solid #e5e7eb; }
</style>
</head>
<body>
<header>
<h1>Gauntlet capacity</h1>
<p class="banner" id="headline">${escapeHtml(result.headline?.sentence ?? result.topologies.map((t) => `${t.name}: ${t.maxRate ?? 'no'} req/s${t.conclusive ? '' : ' (not conclusive)'}`).join('; '))}</p>
</header>
<section id="charts">
<h2>Charts</h2>
<div class="charts">
<figure><figcaption>Latency vs offered rate: p50 and p99 e2e with 95 % CIs (filled marker: pass; hollow: fail or inconclusive)</figcaption><div class="chart"><canvas id="chart-latency" aria-label="Latency vs offered rate" role="img"></canvas></div></figure>
<figure><figcaption>Max rate vs nodes: measured (points) and the capacity model (dashed line, a fit, not a measurement)</figcaption><div class="chart"><canvas id="chart-scaling" aria-label="Max rate vs nodes" role="img"></canvas></div></figure>
</div>
</section>
<section id="tables">
<h2>Results</h2>
<pre class="md">${escapeHtml(renderCapacityMarkdown(result))}</pre>
</section>
<script type="application/json" id="capacity-data">${json}</script>
<script>${options.chartJs ?? chartJsSource()}</script>
<script>${CAPACITY_SCRIPT}</script>
</body>
</html>
`;
}
