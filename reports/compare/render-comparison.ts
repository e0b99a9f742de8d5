import { mdCell, ms, num, percent } from '../render/format.js';
import type { Measured, MetricComparison, RunComparison } from './compare-runs.js';

function value(m: Measured | null, unit: MetricComparison['unit']): string {
  if (!m) return '-';
  const show = (x: number) =>
    unit === 'ms' ? ms(x) : unit === 'fraction' ? percent(x) : `${num(x, 1)} req/s`;
  return `${show(m.value)} (${show(m.ci[0])} .. ${show(m.ci[1])})`;
}

/**
 * The comparison as Markdown: a verdict line in words, the regressions and improvements first, then every
 * metric. Fits a PR comment.
 */
export function renderComparisonMarkdown(comparison: RunComparison): string {
  const out: string[] = [];
  const verdict = comparison.hasRegression ? 'REGRESSION' : 'NO REGRESSION';
  out.push(`## Gauntlet compare: ${verdict}`);
  out.push('');
  out.push(
    `Base \`${mdCell(comparison.base.runId)}\` (${comparison.base.startedAt}) vs new \`${mdCell(comparison.next.runId)}\` (${comparison.next.startedAt}); ` +
      `${comparison.regressions} regressions, ${comparison.improvements} improvements; tolerance ${(comparison.tolerance * 100).toFixed(0)} %.`,
  );
  out.push('');
  const order: Record<MetricComparison['verdict'], number> = {
    regression: 0,
    improvement: 1,
    'no significant change': 2,
    'not comparable': 3,
  };
  const rows = [...comparison.comparisons].sort((a, b) => order[a.verdict] - order[b.verdict]);
  out.push('| Verdict | Endpoint | Metric | Base (95% CI) | New (95% CI) | Change | Why |');
  out.push('|---|---|---|---:|---:|---:|---|');
  for (const c of rows) {
    const metric = c.stat ? `${c.stat} ${c.metric}` : c.metric;
    const change =
      c.relativeChange === null
        ? '-'
        : Number.isFinite(c.relativeChange)
          ? `${c.relativeChange >= 0 ? '+' : ''}${(c.relativeChange * 100).toFixed(1)} %`
          : 'from 0';
    out.push(
      `| ${c.verdict.toUpperCase()} | ${c.endpoint} | ${metric} | ${mdCell(value(c.base, c.unit))} | ${mdCell(value(c.next, c.unit))} | ${change} | ${mdCell(c.reason)} |`,
    );
  }
  out.push('');
  out.push(
    "<sub>Regression: the new 95 % CI lies entirely on the worse side of the base CI and the change exceeds the tolerance. Latency CIs are order-statistic intervals recomputed from the runs' HDR histograms.</sub>",
  );
  out.push('');
  return out.join('\n');
}
