import type { FaultSpec } from '../experiment/experiment-schema.js';
import { type InjectedFault, injectFault } from '../faults/inject-fault.js';
import { checkAbort } from '../measure/abort-rule.js';
import { endOf, sortByStart } from '../measure/measured-request.js';
import { sloWindow } from '../measure/slo-window.js';
import type { RunPlan } from './run-plan.js';
import type { RunRecord, Scheduled } from './run-record.js';

/**
 * Steps 3 and 4, steady state and faults on schedule: wakes at every tick (samples, abort rules) and also
 * exactly when a fault is due, so faults are injected and rolled back on time rather than on the next
 * tick. Ends when the steady state fails, an abort rule trips, or the load is over.
 */
export async function runSchedule(plan: RunPlan, run: RunRecord): Promise<void> {
  const { clock, tickMs } = plan;
  const dueTimes = dueTimesOf(plan, run.loadStartMs);
  let nextTick = run.loadStartMs + tickMs;
  const maxWakes = 2 * (Math.ceil((plan.durationMs + plan.loadGraceMs) / tickMs) + 2) + dueTimes.length;
  for (let wake = 0; wake < maxWakes; wake++) {
    const nextDue = dueTimes.find((t) => t > clock.now()) ?? Number.POSITIVE_INFINITY;
    await clock.sleep(Math.min(nextTick, nextDue) - clock.now());
    const now = clock.now();
    const elapsed = now - run.loadStartMs;
    if (run.reader) run.take(run.reader.read());
    if (checkSteadyState(plan, run, elapsed) === 'failed') return;
    // An inconclusive steady state (too few samples, a starved host) still lets the faults run, but the
    // experiment can then be inconclusive at best (run/judge.ts); a failed one stops before any fault.
    if (run.steadyState !== null && run.steadyState.verdict !== 'fail') {
      injectDue(plan, run, elapsed);
      revertDue(plan, run, elapsed);
    }
    if (now < nextTick) continue;
    nextTick += tickMs * Math.max(1, Math.ceil((now - nextTick + 1) / tickMs));
    if (checkAbortRules(plan, run, now) === 'aborted') return;
    if (run.loadDone || elapsed >= plan.durationMs + plan.loadGraceMs) return;
  }
}

function dueTimesOf(plan: RunPlan, loadStartMs: number): number[] {
  return [
    loadStartMs + plan.steadyStateEndMs,
    ...plan.experiment.faults.flatMap((f) => [
      loadStartMs + f.at * 1000,
      ...(f.durationS === undefined ? [] : [loadStartMs + (f.at + f.durationS) * 1000]),
    ]),
  ].sort((a, b) => a - b);
}

/** The windowS of load just before the first fault must meet the SLOs before any fault is injected. */
function checkSteadyState(plan: RunPlan, run: RunRecord, elapsed: number): 'failed' | 'ok' {
  if (run.steadyState !== null || elapsed < plan.steadyStateEndMs) return 'ok';
  const window = sloWindow(
    'steady-state',
    sortByStart(run.requests),
    run.loadStartMs + plan.steadyStateEndMs - plan.windowMs,
    run.loadStartMs + plan.steadyStateEndMs,
    plan.slos,
    plan.evaluation(),
  );
  run.steadyState = window;
  plan.journal.note('steady-state', `before faults: ${window.verdict} over ${window.requests} requests`);
  plan.log(`steady state: ${window.verdict} (${window.requests} requests)`);
  if (window.verdict !== 'fail') return 'ok';
  run.status = 'steady_state_failed';
  return 'failed';
}

function injectDue(plan: RunPlan, run: RunRecord, elapsed: number): void {
  for (const spec of plan.experiment.faults) {
    if (!run.scheduled.has(spec.id) && elapsed >= spec.at * 1000) {
      run.scheduled.set(spec.id, { spec, injection: inject(plan, spec) });
    }
  }
}

function revertDue(plan: RunPlan, run: RunRecord, elapsed: number): void {
  for (const s of run.scheduled.values()) {
    if (s.reverting || s.spec.durationS === undefined) continue;
    if (elapsed >= (s.spec.at + s.spec.durationS) * 1000) s.reverting = revert(plan, run, s);
  }
}

function checkAbortRules(plan: RunPlan, run: RunRecord, now: number): 'aborted' | 'ok' {
  run.recent = run.recent.filter((r) => endOf(r) >= now - plan.maxAbortWindowMs - 5_000);
  const pulled = plan.stack.killSwitch?.();
  const tripped = pulled
    ? { message: `kill switch pulled: ${pulled}` }
    : plan.experiment.abort.map((rule) => checkAbort(rule, run.recent, now)).find((c) => c.triggered);
  if (!tripped) return 'ok';
  run.status = 'aborted';
  run.abort = { at: now, message: tripped.message };
  plan.journal.note('abort', tripped.message);
  plan.log(`ABORT: ${tripped.message}`);
  return 'aborted';
}

function inject(plan: RunPlan, spec: FaultSpec): Promise<InjectedFault | undefined> {
  const { journal, log } = plan;
  log(`injecting ${spec.id} (${spec.action})`);
  return injectFault(spec, plan.faults, plan.stack, plan.random).catch((e: Error) => {
    // Failures before the fault API journaled anything (no target, no etcd leader) still get an entry.
    if (!journal.entry(spec.id)) journal.injectFailed(journal.begin(spec.id, spec.action, []), e);
    log(`${spec.id}: injection failed: ${e.message}`);
    return undefined;
  });
}

function revert(plan: RunPlan, run: RunRecord, s: Scheduled): Promise<void> {
  return s.injection.then(async (injected) => {
    if (!injected) return;
    plan.log(`rolling back ${s.spec.id} after ${s.spec.durationS} s`);
    await injected.rollback.run().catch((e: Error) => run.rollbackErrors.push(`${s.spec.id}: ${e.message}`));
  });
}
