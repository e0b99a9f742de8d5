import { combineVerdicts, type Verdict } from '../../reports/model/kinds.js';
import { DEFAULT_STALLED_AFTER_S, type Expectations } from '../experiment/experiment-schema.js';
import type { Detection } from './detection.js';
import type { FaultImpact } from './fault-impact.js';
import { describeRecovery, type Recovery } from './recovery.js';
import type { SloWindow } from './slo-window.js';
import type { StalledRequests } from './stalled-requests.js';

export interface FaultMeasures {
  impact: FaultImpact;
  detection: Detection;
  recovery: Recovery;
  /** The window after the fault (and its recovery) to the load's end. */
  after?: SloWindow;
  /** Requests sent after the rollback (to the load's end); undefined when the rollback came at the end. */
  afterRollback?: { requests: number; failed: number; failedByKind: Record<string, number> };
  /** Answered requests that waited past `stalledAfterS`, from the injection to the load's end. */
  stalled?: StalledRequests;
  /** Why the host was starved from the injection to the load's end (the span the stalled count covers). */
  stalledHostStarved?: string | undefined;
  /**
   * Why the stack's host was starved while the fault was judged, or undefined: then a time to detect or to
   * recover that misses its limit may be the host's CPU, not the stack, and is inconclusive, not fail.
   */
  hostStarved?: string | undefined;
}

/** One expectation, checked: what was measured against what was allowed. */
export interface ExpectationCheck {
  /** The expectation's name (maxFailedRequests, ...) or `after-window` for the SLOs after the fault. */
  name: string;
  verdict: Verdict | 'not_applicable';
  measured: number | null;
  limit: number | null;
  detail: string;
}

export interface Judgement {
  verdict: Verdict;
  checks: ExpectationCheck[];
}

/**
 * Checks one fault's measures against its expectations, one structured record each. A fault with no
 * expectation, or whose window held no request, is inconclusive: nothing was shown.
 */
export function judgeFault(m: FaultMeasures, expect: Expectations): Judgement {
  const checks: ExpectationCheck[] = [];
  const add = (c: ExpectationCheck) => checks.push(c);
  if (m.impact.requests === 0) {
    return {
      verdict: 'inconclusive',
      checks: [
        {
          name: 'requests',
          verdict: 'inconclusive',
          measured: 0,
          limit: null,
          detail: 'no request overlapped the fault',
        },
      ],
    };
  }
  const upTo = (name: string, measured: number, limit: number | undefined, what: string, more = '') => {
    if (limit === undefined) return;
    const ok = measured <= limit;
    add({
      name,
      verdict: ok ? 'pass' : 'fail',
      measured,
      limit,
      detail: `${what} ${measured} ${ok ? '<=' : '>'} ${name} ${limit}${more}`,
    });
  };
  const byKind = Object.entries(m.impact.failedByKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  upTo(
    'maxFailedRequests',
    m.impact.failed,
    expect.maxFailedRequests,
    'failed requests',
    byKind ? ` (${byKind})` : '',
  );
  upTo('maxStreamsCut', m.impact.streamsCut, expect.maxStreamsCut, 'streams cut');
  if (expect.maxFailedAfterRollback !== undefined) {
    add(afterRollbackCheck(m.afterRollback, expect.maxFailedAfterRollback));
  }
  if (expect.maxRecoveryS !== undefined) add(recoveryCheck(m.recovery, expect.maxRecoveryS));
  if (expect.maxDetectS !== undefined) add(detectionCheck(m.detection, expect.maxDetectS));
  if (expect.noLostRequests) {
    const ids = m.impact.lost > 0 ? ` (${m.impact.lostIds.join(', ')})` : '';
    add({
      name: 'noLostRequests',
      verdict: m.impact.lost === 0 ? 'pass' : 'fail',
      measured: m.impact.lost,
      limit: 0,
      detail: `lost requests ${m.impact.lost}${ids}`,
    });
  }
  if (expect.noDuplicates) {
    const ids = m.impact.duplicated > 0 ? ` (${m.impact.duplicatedIds.join(', ')})` : '';
    add({
      name: 'noDuplicates',
      verdict: m.impact.duplicated === 0 ? 'pass' : 'fail',
      measured: m.impact.duplicated,
      limit: 0,
      detail: `duplicated requests ${m.impact.duplicated}${ids}`,
    });
  }
  if (expect.maxStalledRequests !== undefined && m.stalled) {
    add(stalledCheck(m.stalled, expect.maxStalledRequests, expect.stalledAfterS, m.stalledHostStarved));
  }
  if (checks.length === 0) {
    return {
      verdict: 'inconclusive',
      checks: [
        {
          name: 'expectations',
          verdict: 'inconclusive',
          measured: null,
          limit: null,
          detail: 'no expectations set: a fault without expectations shows nothing',
        },
      ],
    };
  }
  if (m.after) add(afterCheck(m.after));
  const judged = m.hostStarved ? checks.map((c) => starved(c, m.hostStarved as string)) : checks;
  const verdict = combineVerdicts(judged.map((c) => c.verdict));
  return { verdict, checks: judged };
}

/** Timings measured on a starved host: a miss is not evidence against the stack. Counts stand. */
const TIMINGS = new Set(['maxDetectS', 'maxRecoveryS']);

function starved(c: ExpectationCheck, why: string): ExpectationCheck {
  if (c.verdict !== 'fail' || !TIMINGS.has(c.name)) return c;
  return { ...c, verdict: 'inconclusive', detail: `${c.detail}; but ${why}` };
}

function recoveryCheck(r: Recovery, maxS: number): ExpectationCheck {
  const base = { name: 'maxRecoveryS', limit: maxS };
  switch (r.status) {
    case 'held':
      return { ...base, verdict: 'pass', measured: null, detail: r.note };
    case 'recovered': {
      const s = (r.afterMs ?? 0) / 1000;
      const ok = s <= maxS;
      return {
        ...base,
        verdict: ok ? 'pass' : 'fail',
        measured: s,
        detail: `recovered after ${describeRecovery(r)} ${ok ? '<=' : '>'} maxRecoveryS ${maxS} (${r.note})`,
      };
    }
    case 'not_recovered':
      return { ...base, verdict: 'fail', measured: null, detail: `${r.note} (maxRecoveryS ${maxS})` };
    case 'undecided':
      return { ...base, verdict: 'inconclusive', measured: null, detail: `${r.note} (maxRecoveryS ${maxS})` };
  }
}

function detectionCheck(d: Detection, maxS: number): ExpectationCheck {
  const base = { name: 'maxDetectS', limit: maxS };
  if (d.status === 'not_applicable') {
    return { ...base, verdict: 'not_applicable', measured: null, detail: `not applicable (${d.note ?? ''})` };
  }
  if (d.status === 'not_detected' || d.afterMs === null) {
    return {
      ...base,
      verdict: 'fail',
      measured: null,
      detail: `not detected (${d.note ?? 'no signal'}; maxDetectS ${maxS})`,
    };
  }
  const s = d.afterMs / 1000;
  const ok = s <= maxS;
  const within = d.resolutionMs === undefined ? '' : ` (within the ${d.resolutionMs} ms before)`;
  const detail = `detected after ${s.toFixed(2)} s${within} ${ok ? '<=' : '>'} maxDetectS ${maxS}`;
  // Seen late, but the probe's answers were so far apart that the change may have come within the limit.
  const unsure = !ok && (d.afterMs - (d.resolutionMs ?? 0)) / 1000 <= maxS;
  return {
    ...base,
    verdict: ok ? 'pass' : unsure ? 'inconclusive' : 'fail',
    measured: s,
    detail: unsure ? `${detail}, but it may have happened within the limit: the probe saw it late` : detail,
  };
}

function afterRollbackCheck(after: FaultMeasures['afterRollback'], max: number): ExpectationCheck {
  const base = { name: 'maxFailedAfterRollback', limit: max };
  if (!after || after.requests === 0) {
    return {
      ...base,
      verdict: 'not_applicable',
      measured: null,
      detail: "not applicable (no request was sent after the rollback: it came at the load's end)",
    };
  }
  const ok = after.failed <= max;
  const kinds = Object.entries(after.failedByKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return {
    ...base,
    verdict: ok ? 'pass' : 'fail',
    measured: after.failed,
    detail:
      `failed after the rollback ${after.failed} of ${after.requests} ${ok ? '<=' : '>'} maxFailedAfterRollback ${max}` +
      (kinds ? ` (${kinds})` : ''),
  };
}

function stalledCheck(
  s: StalledRequests,
  max: number,
  afterS = DEFAULT_STALLED_AFTER_S,
  hostStarved: string | undefined,
): ExpectationCheck {
  const ok = s.count <= max;
  const worst = s.shown.map((r) => `${r.id} ${(r.waitMs / 1000).toFixed(1)} s`).join(', ');
  const detail =
    `requests answered after waiting over ${afterS} s: ${s.count} ${ok ? '<=' : '>'} maxStalledRequests ${max}` +
    (s.count > 0 ? ` (${worst}${s.count > s.shown.length ? ', ...' : ''})` : '');
  // A host so short of CPU that the stack's own timers fired late can hold an answer back by itself; a
  // stall is then no evidence against the stack.
  if (!ok && hostStarved) {
    return {
      name: 'maxStalledRequests',
      verdict: 'inconclusive',
      measured: s.count,
      limit: max,
      detail: `${detail}; but ${hostStarved}`,
    };
  }
  return { name: 'maxStalledRequests', verdict: ok ? 'pass' : 'fail', measured: s.count, limit: max, detail };
}

/** The SLOs over the rest of the load after the fault: the stack must be back, shown with intervals. */
function afterCheck(w: SloWindow): ExpectationCheck {
  const failed = w.slos.filter((s) => s.verdict === 'fail' || s.verdict === 'inconclusive');
  const detail = w.note
    ? `after the fault: ${w.note}`
    : failed.length === 0
      ? `SLOs met after the fault (${w.requests} requests)`
      : `after the fault: ${failed.map((s) => `${s.id} ${s.verdict}: ${s.reason}`).join('; ')}`;
  return { name: 'after-window', verdict: w.verdict, measured: null, limit: null, detail };
}
