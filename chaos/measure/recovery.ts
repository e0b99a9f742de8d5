import type { Slo } from '../experiment/slo.js';
import type { MeasuredRequest } from './measured-request.js';
import type { SloEvalOptions } from './slo-eval.js';
import { sloWindow } from './slo-window.js';

export interface RecoveryOptions extends SloEvalOptions {
  /** Length of the window that must be back inside the SLOs. */
  windowMs?: number;
  /** How far apart candidate window starts are. */
  stepMs?: number;
  /** End of the data (the load's end): a window must fit before it. */
  endMs: number;
}

/**
 * Time from injection to the start of the first window (10 s by default, starts 1 s apart) in which every
 * steady-state SLO passes again, by requests sent in that window; 0 when the fault never broke them. null
 * when no such window fits before endMs. An inconclusive window (too few requests) does not count as
 * recovered.
 */
export function recoveredAfterMs(
  sorted: readonly MeasuredRequest[],
  injectedAt: number,
  slos: readonly Slo[],
  options: RecoveryOptions,
): number | null {
  const windowMs = options.windowMs ?? 10_000;
  const stepMs = Math.max(1, options.stepMs ?? 1_000);
  const maxSteps = Math.min(1_000_000, Math.floor((options.endMs - injectedAt - windowMs) / stepMs) + 1);
  for (let step = 0; step < maxSteps; step++) {
    const from = injectedAt + step * stepMs;
    if (sloWindow('during', sorted, from, from + windowMs, slos, options).verdict === 'pass')
      return from - injectedAt;
  }
  return null;
}
