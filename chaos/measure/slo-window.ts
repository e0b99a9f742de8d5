import { combineVerdicts, type Verdict } from '../../reports/model/kinds.js';
import type { SloVerdict } from '../../reports/slo/evaluate-slos.js';
import type { Slo } from '../experiment/slo.js';
import { evaluateWindow, type WindowEvaluationOptions } from './evaluate-window.js';
import { endOf, type MeasuredRequest, sentIn } from './measured-request.js';

export type WindowPhase = 'steady-state' | 'before' | 'during' | 'after' | 'after-check' | 'recovery';

/** The steady-state SLOs over the requests sent in [fromMs, toMs), judged by the reports' evaluator. */
export interface SloWindow {
  phase: WindowPhase;
  fromMs: number;
  toMs: number;
  requests: number;
  failed: number;
  /** One structured record per SLO: observed value, 95 % CI, samples, verdict, reason, needed. */
  slos: SloVerdict[];
  verdict: Verdict;
  /** Why the window as a whole decided nothing (no requests, no SLOs), when it did not. */
  note?: string;
}

export interface SloWindowOptions extends WindowEvaluationOptions {
  /**
   * Only requests that had ended by this time: a "before" window must not count requests that were still in
   * flight when the fault hit (those belong to the fault).
   */
  endedBy?: number;
}

export function sloWindow(
  phase: WindowPhase,
  sorted: readonly MeasuredRequest[],
  fromMs: number,
  toMs: number,
  slos: readonly Slo[],
  options: SloWindowOptions = {},
): SloWindow {
  const sent = toMs > fromMs ? sentIn(sorted, fromMs, toMs) : [];
  const endedBy = options.endedBy;
  const inWindow = endedBy === undefined ? sent : sent.filter((r) => endOf(r) <= endedBy);
  const base = {
    phase,
    fromMs,
    toMs,
    requests: inWindow.length,
    failed: inWindow.filter((r) => !r.ok).length,
  };
  if (slos.length === 0) {
    return { ...base, slos: [], verdict: 'inconclusive', note: 'no SLOs to judge the window by' };
  }
  const evaluation = evaluateWindow(inWindow, fromMs, toMs, slos, options);
  if (toMs <= fromMs) {
    const note =
      phase === 'after'
        ? 'the load ended before the fault and its recovery did: nothing was measured after it'
        : 'the window is empty: it covers no time of the load';
    return { ...base, slos: evaluation.slos, verdict: 'inconclusive', note };
  }
  if (inWindow.length === 0) {
    return { ...base, slos: evaluation.slos, verdict: 'inconclusive', note: 'no request in the window' };
  }
  return { ...base, slos: evaluation.slos, verdict: combineVerdicts(evaluation.slos.map((s) => s.verdict)) };
}

/** One line about a window: each SLO's observed value, CI, samples and verdict. */
export function describeWindow(w: SloWindow | null): string {
  if (!w) return 'no data';
  const slos = w.slos
    .map((s) => {
      const ci = s.ci ? ` CI [${s.ci[0]}, ${s.ci[1]}]` : '';
      return `${s.id} ${s.observed ?? 'n/a'}${ci} n=${s.samples} ${s.verdict}`;
    })
    .join(', ');
  return `${w.requests} requests${w.note ? ` (${w.note})` : ''}; ${slos}`;
}
