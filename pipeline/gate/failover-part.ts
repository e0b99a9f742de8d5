import type { Experiment } from '../../chaos/experiment/experiment-schema.js';
import { referenceFaultAt, referenceWindowS } from '../../chaos/experiments/reference-steady-state.js';
import { workerKill } from '../../chaos/experiments/worker-kill.js';
import { combineVerdicts } from '../../reports/model/kinds.js';
import type { RunResult } from '../../reports/run-result.js';

/** How long the gate's worker stays dead: shorter than the shipped experiment's 20 s. */
const killS = 10;

/**
 * The failover part of a gate: worker-kill with the release gate's SLOs and request shapes, the worker
 * restarted after 10 s instead of 20, and the same expectations: zero failed requests (during the fault
 * and after the restart), detection within 2 s, recovery within 10 s, no answer stalled past 3 s, nothing
 * lost or duplicated. Its windows keep the size a healthy stack needs
 * for conclusive p99s (reference-steady-state.ts): the steady state, the kill, room to recover, the
 * after-check.
 */
export function gateFailoverExperiment(): Experiment {
  const [kill] = workerKill.faults;
  if (!kill) throw new Error('worker-kill has no fault');
  return {
    ...workerKill,
    id: 'gate-worker-kill',
    load: { ...workerKill.load, durationS: referenceFaultAt + killS + 2 * referenceWindowS },
    faults: [{ ...kill, at: referenceFaultAt, durationS: killS }],
  };
}

/** One combined report: the load parts' run with the failover part's faults, SLO verdicts and notes. */
export function mergeFailover(load: RunResult, failover: RunResult): RunResult {
  const slos = [...load.slos, ...failover.slos.map((s) => ({ ...s, id: `failover:${s.id}` }))];
  // Fault times are seconds after a run's first request: move the failover run's onto the load run's clock,
  // so a fault is never drawn over load-part requests it did not touch.
  const shiftS = (failover.timeOriginMs - load.timeOriginMs) / 1000;
  const faults = (failover.faults ?? []).map((f) => ({
    ...f,
    injectedAtS: f.injectedAtS + shiftS,
    revertedAtS: f.revertedAtS === null ? null : f.revertedAtS + shiftS,
    windows: f.windows.map((w) => ({ ...w, fromS: w.fromS + shiftS, toS: w.toS + shiftS })),
  }));
  return {
    ...load,
    slos,
    faults: [...(load.faults ?? []), ...faults],
    complete: load.complete && failover.complete,
    verdict: combineVerdicts([load.verdict, failover.verdict]),
    notes: [...load.notes, ...failover.notes.map((n) => `failover: ${n}`)],
  };
}
