import type { Slo } from '../experiment/slo.js';
import type { MeasuredRequest } from './measured-request.js';
import { type SloWindow, type SloWindowOptions, sloWindow } from './slo-window.js';

/**
 * - held: the window that starts at the injection already passes; the SLOs were never left, no recovery
 *   time is claimed.
 * - recovered: the first passing window starts `afterMs` after the injection.
 * - not_recovered: every window that could count failed before the load ended.
 * - undecided: no window passed, and some were inconclusive (too few samples, a starved host) or none fit.
 */
export type RecoveryStatus = 'held' | 'recovered' | 'not_recovered' | 'undecided';

export interface Recovery {
  status: RecoveryStatus;
  /** From injection to the start of the first passing window; null unless recovered. */
  afterMs: number | null;
  /** Window starts are this far apart: the stack was back within (afterMs - resolutionMs, afterMs]. */
  resolutionMs: number;
  windowMs: number;
  /** Why windows before this one could not count (the fault still in force and not routed around). */
  eligibleFromMs: number;
  /** The first passing window, or the last one looked at. */
  window: SloWindow | null;
  note: string;
}

export interface RecoveryOptions extends SloWindowOptions {
  /** Length of the window that must be back inside the SLOs (sized so a healthy window is conclusive). */
  windowMs: number;
  /** How far apart candidate window starts are: the recovery time's resolution. */
  stepMs?: number;
  /** End of the data (the load's end): a window must fit before it. */
  endMs: number;
  /**
   * The earliest a recovery may be declared (Unix ms): while the fault is still in force, the stack has
   * recovered only once it routes around it (detection), else only after the rollback.
   */
  eligibleFromMs: number;
  /** When the fault was rolled back (or the load's end): "held" needs the whole fault inside the SLOs. */
  faultEndMs: number;
}

/**
 * Time to recover: the first window (of options.windowMs, starts stepMs apart from the injection) in which
 * every steady-state SLO passes by the reports' evaluator, among windows that start no earlier than
 * eligibleFromMs. An inconclusive window is never a recovery.
 */
export function recoveryOf(
  sorted: readonly MeasuredRequest[],
  injectedAt: number,
  slos: readonly Slo[],
  options: RecoveryOptions,
): Recovery {
  const { windowMs, endMs } = options;
  const stepMs = Math.max(1, options.stepMs ?? 1_000);
  const base = { resolutionMs: stepMs, windowMs, eligibleFromMs: options.eligibleFromMs };
  const heldTo = Math.min(endMs, Math.max(injectedAt + windowMs, options.faultEndMs));
  const first =
    heldTo - injectedAt >= windowMs ? sloWindow('recovery', sorted, injectedAt, heldTo, slos, options) : null;
  if (first?.verdict === 'pass') {
    return {
      ...base,
      status: 'held',
      afterMs: null,
      window: first,
      note: `SLOs held: the ${s(heldTo - injectedAt)} from the injection passed as one window`,
    };
  }
  const startStep = Math.max(0, Math.ceil((options.eligibleFromMs - injectedAt) / stepMs));
  const lastStep = Math.min(1_000_000, Math.floor((endMs - injectedAt - windowMs) / stepMs));
  let undecided = 0;
  let last: SloWindow | null = first;
  for (let step = startStep; step <= lastStep; step++) {
    const from = injectedAt + step * stepMs;
    const w = window(from);
    last = w;
    if (w.verdict === 'pass') {
      return {
        ...base,
        status: 'recovered',
        afterMs: from - injectedAt,
        window: w,
        note: `recovered after ${s(from - injectedAt)} (first passing ${s(windowMs)} window; starts ${s(stepMs)} apart)`,
      };
    }
    if (w.verdict === 'inconclusive') undecided++;
  }
  if (lastStep < startStep) {
    return {
      ...base,
      status: 'undecided',
      afterMs: null,
      window: last,
      note: `no ${s(windowMs)} window fits between ${s(options.eligibleFromMs - injectedAt)} after the injection and the load's end`,
    };
  }
  return {
    ...base,
    status: undecided > 0 ? 'undecided' : 'not_recovered',
    afterMs: null,
    window: last,
    note:
      undecided > 0
        ? `no window passed; ${undecided} of ${lastStep - startStep + 1} were inconclusive`
        : `not back inside the SLOs: all ${lastStep - startStep + 1} windows failed`,
  };

  function window(from: number): SloWindow {
    return sloWindow('recovery', sorted, from, from + windowMs, slos, options);
  }
}

function s(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** A recovery in words for reports: "held", "3 s (resolution 1 s)", ... */
export function describeRecovery(r: Recovery): string {
  if (r.status === 'recovered' && r.afterMs !== null)
    return `${s(r.afterMs)} (resolution ${s(r.resolutionMs)})`;
  return r.status.replace('_', ' ');
}
