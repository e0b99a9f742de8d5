import type { Verdict } from '../../reports/model/kinds.js';
import type { Expectations } from '../experiment/experiment-schema.js';
import type { Detection } from './detection.js';
import type { FaultImpact } from './fault-impact.js';

export interface FaultMeasures {
  impact: FaultImpact;
  detection: Detection;
  recoveredAfterMs: number | null;
}

export interface Judgement {
  verdict: Verdict;
  /** One line per expectation, met or not, with the measured and the allowed value. */
  reasons: string[];
}

/** Checks one fault's measures against its expectations; each reason says what was measured and allowed. */
export function judgeFault(m: FaultMeasures, expect: Expectations): Judgement {
  const reasons: string[] = [];
  let verdict: Verdict = 'pass';
  const check = (ok: boolean, text: string) => {
    reasons.push(`${ok ? 'ok' : 'FAIL'}: ${text}`);
    if (!ok) verdict = 'fail';
  };
  if (m.impact.requests === 0) {
    return { verdict: 'inconclusive', reasons: ['no request ended while the fault was in force'] };
  }
  if (expect.maxFailedRequests !== undefined) {
    const byKind = Object.entries(m.impact.failedByKind)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ');
    const ok = m.impact.failed <= expect.maxFailedRequests;
    check(
      ok,
      `failed requests ${m.impact.failed} ${ok ? '<=' : '>'} maxFailedRequests ${expect.maxFailedRequests}${byKind ? ` (${byKind})` : ''}`,
    );
  }
  if (expect.maxStreamsCut !== undefined) {
    const ok = m.impact.streamsCut <= expect.maxStreamsCut;
    check(ok, `streams cut ${m.impact.streamsCut} ${ok ? '<=' : '>'} maxStreamsCut ${expect.maxStreamsCut}`);
  }
  if (expect.maxRecoveryS !== undefined) {
    if (m.recoveredAfterMs === null)
      check(false, `not back inside the SLOs before the load ended (maxRecoveryS ${expect.maxRecoveryS})`);
    else {
      const s = m.recoveredAfterMs / 1000;
      check(
        s <= expect.maxRecoveryS,
        `recovered after ${s.toFixed(1)} s ${s <= expect.maxRecoveryS ? '<=' : '>'} maxRecoveryS ${expect.maxRecoveryS}`,
      );
    }
  }
  if (expect.maxDetectS !== undefined) {
    if (m.detection.status === 'not_applicable')
      reasons.push(`n/a: detection not applicable (${m.detection.note ?? ''})`);
    else if (m.detection.status === 'not_detected' || m.detection.afterMs === null) {
      check(false, `not detected (${m.detection.note ?? 'no signal'}; maxDetectS ${expect.maxDetectS})`);
    } else {
      const s = m.detection.afterMs / 1000;
      check(
        s <= expect.maxDetectS,
        `detected after ${s.toFixed(2)} s ${s <= expect.maxDetectS ? '<=' : '>'} maxDetectS ${expect.maxDetectS}`,
      );
    }
  }
  if (expect.noLostRequests) {
    check(
      m.impact.lost === 0,
      `lost requests ${m.impact.lost}${m.impact.lost > 0 ? ` (${m.impact.lostIds.join(', ')})` : ''}`,
    );
  }
  if (expect.noDuplicates) {
    check(
      m.impact.duplicated === 0,
      `duplicated requests ${m.impact.duplicated}${m.impact.duplicated > 0 ? ` (${m.impact.duplicatedIds.join(', ')})` : ''}`,
    );
  }
  if (reasons.length === 0) reasons.push('no expectations set');
  return { verdict, reasons };
}
