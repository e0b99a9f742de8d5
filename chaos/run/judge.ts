import { combineVerdicts, type Verdict } from '../../reports/model/kinds.js';
import type { AuditFinding } from '../measure/audit.js';
import type { FaultResult } from '../measure/measure-fault.js';
import { describeWindow, type SloWindow } from '../measure/slo-window.js';
import type { ExperimentResult, ExperimentStatus } from '../run-experiment.js';

/** Step 8, judge: the experiment's verdict and its reasons, failures first. */
export function overallVerdict(r: {
  status: ExperimentStatus;
  steadyState: SloWindow | null;
  afterCheck: SloWindow | null;
  abort: ExperimentResult['abort'];
  error: string | undefined;
  rollbackErrors: string[];
  audit: AuditFinding[];
  faultResults: FaultResult[];
}): { verdict: Verdict; reasons: string[] } {
  const fails: string[] = [];
  const unsure: string[] = [];
  if (r.status === 'error') unsure.push(`the experiment stopped on an error: ${r.error}`);
  if (r.status === 'steady_state_failed') {
    fails.push(
      `steady state not met before any fault (${describeWindow(r.steadyState)}); no fault was injected`,
    );
  }
  if (r.status === 'completed' && r.steadyState === null)
    unsure.push('the load ended before the steady-state window');
  if (r.steadyState?.verdict === 'inconclusive') {
    unsure.push(`steady state not shown before the faults (${describeWindow(r.steadyState)})`);
  }
  if (r.abort) fails.push(`aborted: ${r.abort.message}`);
  if (r.afterCheck?.verdict === 'fail') fails.push(`after-check failed (${describeWindow(r.afterCheck)})`);
  if (r.afterCheck?.verdict === 'inconclusive')
    unsure.push(`after-check inconclusive (${describeWindow(r.afterCheck)})`);
  for (const e of r.rollbackErrors) fails.push(`rollback failed: ${e}`);
  for (const f of r.audit) fails.push(`audit: ${f.detail}`);
  for (const f of r.faultResults) {
    const detail = (verdict: string) =>
      f.checks
        .filter((c) => c.verdict === verdict)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ');
    if (f.verdict === 'fail') fails.push(`fault ${f.id}: ${detail('fail')}`);
    if (f.verdict === 'inconclusive') unsure.push(`fault ${f.id}: ${detail('inconclusive')}`);
  }
  const verdict = combineVerdicts([
    ...(fails.length > 0 ? ['fail' as const] : []),
    ...(unsure.length > 0 ? ['inconclusive' as const] : []),
  ]);
  return { verdict, reasons: [...fails, ...unsure] };
}
