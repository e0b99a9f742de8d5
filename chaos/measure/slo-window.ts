import { combineVerdicts, type Verdict } from '../../reports/model/kinds.js';
import type { Slo } from '../experiment/slo.js';
import { endOf, type MeasuredRequest, sentIn } from './measured-request.js';
import { evaluateSlo, type SloEvalOptions, type SloResult } from './slo-eval.js';

export type WindowPhase = 'steady-state' | 'before' | 'during' | 'after' | 'after-check';

/** The steady-state SLOs over the requests sent in [fromMs, toMs). */
export interface SloWindow {
  phase: WindowPhase;
  fromMs: number;
  toMs: number;
  requests: number;
  failed: number;
  slos: SloResult[];
  verdict: Verdict;
}

export interface SloWindowOptions extends SloEvalOptions {
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
  const results = slos.map((slo) => evaluateSlo(slo, inWindow, options));
  return {
    phase,
    fromMs,
    toMs,
    requests: inWindow.length,
    failed: inWindow.filter((r) => !r.ok).length,
    slos: results,
    verdict: inWindow.length === 0 ? 'inconclusive' : combineVerdicts(results.map((r) => r.verdict)),
  };
}
