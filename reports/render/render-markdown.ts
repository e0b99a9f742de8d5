import type { MetricSummary, RunResult } from '../run-result.js';
import {
  detectionText,
  mdCell,
  ms,
  num,
  percent,
  recoveryText,
  sloCi,
  sloObjective,
  sloValue,
  verdictWord,
} from './format.js';
import { replayMarkdown } from './replay-summary.js';

/**
 * summary.md: fits a GitHub step summary or a PR comment. A verdict line in status words (no emoji), the
 * SLO table (observed, CI, threshold, n, verdict), key metrics per endpoint, faults, and notes such as an
 * incomplete run.
 */
export function renderMarkdown(run: RunResult): string {
  const out: string[] = [];
  const counts = { pass: 0, fail: 0, inconclusive: 0, not_applicable: 0 };
  for (const slo of run.slos) counts[slo.verdict]++;
  const target = run.target.kind === 'url' ? run.target.url : `platform ${run.target.platform}`;
  const overall = run.metrics.overall;

  out.push(`## Gauntlet run \`${run.runId}\`: ${verdictWord(run.verdict)}`);
  out.push('');
  out.push(
    `**Verdict: ${verdictWord(run.verdict)}**${run.complete ? '' : ' (INCOMPLETE RUN)'} - SLOs: ${counts.pass} pass, ${counts.fail} fail, ${counts.inconclusive} inconclusive${counts.not_applicable > 0 ? `, ${counts.not_applicable} not applicable` : ''}. ` +
      `${num(overall.count, 0)} requests over ${num(overall.durationS, 1)} s against ${target}, started ${run.startedAt}.`,
  );
  out.push('');

  out.push('### SLOs');
  out.push('');
  if (run.slos.length === 0) out.push('No SLOs were evaluated.');
  else {
    out.push('| Verdict | SLO | Objective | Observed | 95% CI | n | Reason |');
    out.push('|---|---|---|---|---|---:|---|');
    for (const slo of run.slos) {
      out.push(
        `| ${verdictWord(slo.verdict)} | ${mdCell(slo.id)} | ${mdCell(sloObjective(slo))} | ${mdCell(sloValue(slo.observed, slo.unit))} | ${mdCell(sloCi(slo))} | ${num(slo.samples, 0)} | ${mdCell(slo.reason)} |`,
      );
    }
  }
  out.push('');

  out.push('### Key metrics');
  out.push('');
  out.push(
    '| Endpoint | Requests | Errors | Error rate | p50 e2e | p95 e2e | p99 e2e (95% CI) | p99 TTFT | p99 ITL | Throughput | Output tokens/s | Goodput |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const m of [...run.metrics.endpoints, overall]) out.push(metricsRow(m));
  out.push('');
  out.push(...replayMarkdown(run));

  if (run.faults && run.faults.length > 0) {
    out.push('### Faults');
    out.push('');
    out.push(
      '| Verdict | Fault | Action | Targets | Injected at | Detected after | Recovered after | Failed requests |',
    );
    out.push('|---|---|---|---|---:|---:|---:|---:|');
    for (const f of run.faults) {
      out.push(
        `| ${verdictWord(f.verdict)} | ${mdCell(f.id)} | ${mdCell(f.action)} | ${mdCell(f.targets.join(', '))} | ${num(f.injectedAtS, 1)} s | ${detectionText(f)} | ${recoveryText(f)} | ${num(f.failedRequests, 0)} |`,
      );
    }
    out.push('');
  }

  const notes = [...run.notes];
  if (notes.length > 0) {
    out.push('### Notes');
    out.push('');
    for (const note of notes) out.push(`- ${note.replace(/\r?\n/g, ' ')}`);
    out.push('');
  }
  out.push(
    `<sub>Gauntlet ${mdCell(run.versions.gauntlet)}${run.gitCommit ? `, commit ${run.gitCommit.slice(0, 12)}` : ''}, seed ${mdCell(String(run.seed))}. Percentile CIs are distribution-free (order statistics); error-rate CIs are Wilson intervals.</sub>`,
  );
  out.push('');
  return out.join('\n');
}

function metricsRow(m: MetricSummary): string {
  const name = m.endpoint ?? '**all**';
  const failed = m.count - m.ok;
  const p99 = m.e2e?.p99;
  const p99Text = p99
    ? `${ms(p99.value)}${p99.ci ? ` (${num(p99.ci[0], 1)} .. ${num(p99.ci[1], 1)})` : ''}`
    : '-';
  return `| ${name} | ${num(m.count, 0)} | ${num(failed, 0)} | ${percent(m.errorRate)} | ${ms(m.e2e?.p50.value)} | ${ms(m.e2e?.p95.value)} | ${p99Text} | ${ms(m.ttft?.p99.value)} | ${ms(m.itl?.p99.value)} | ${num(m.throughputRps, 1)} req/s | ${num(m.outputTokensPerS, 0)} | ${m.goodputRps === null ? '-' : `${num(m.goodputRps, 1)} req/s`} |`;
}
