import { exitCodes } from '../core/exit-codes.js';
import type { RunResult } from '../reports/run-result.js';

export function exitCodeFor(run: RunResult): number {
  if (run.verdict === 'fail') return exitCodes.fail;
  if (run.verdict === 'inconclusive') return exitCodes.inconclusive;
  return exitCodes.pass;
}

/** The few lines a person reads at the end of a run: verdict, each SLO, where the reports are. */
export function verdictSummary(run: RunResult, outDir: string): string {
  const lines = [`verdict: ${run.verdict.toUpperCase()}${run.complete ? '' : ' (incomplete run)'}`];
  for (const slo of run.slos) {
    const ci = slo.ci ? ` [${slo.ci.map((x) => fmt(x)).join(', ')}]` : '';
    const observed = slo.observed === null ? '-' : fmt(slo.observed);
    lines.push(
      `  ${slo.verdict.padEnd(12)} ${slo.id}: ${observed}${ci} ${slo.op} ${fmt(slo.threshold)} (n=${slo.samples})${slo.verdict === 'pass' ? '' : ` ${slo.reason ?? ''}`}`,
    );
  }
  for (const fault of run.faults ?? []) {
    lines.push(`  ${fault.verdict.padEnd(12)} fault ${fault.id} (${fault.action})`);
  }
  for (const note of run.notes) lines.push(`  note: ${note}`);
  lines.push(`reports: ${outDir}/{run.json,junit.xml,summary.md,report.html}`);
  return lines.join('\n');
}

const fmt = (x: number) =>
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toPrecision(2);
