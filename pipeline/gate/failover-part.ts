import type { Experiment } from '../../chaos/experiment/experiment-schema.js';
import { workerKill } from '../../chaos/experiments/worker-kill.js';
import { combineVerdicts } from '../../reports/model/kinds.js';
import type { RunResult } from '../../reports/run-result.js';

/**
 * The failover part of a gate: worker-kill, shortened to fit a release gate (30 s of load, the kill at
 * t+10 s, restart 10 s later) with the same expectations: zero failed requests, detection within 2 s,
 * recovery within 10 s, nothing lost or duplicated.
 */
export function gateFailoverExperiment(): Experiment {
  const [kill] = workerKill.faults;
  if (!kill) throw new Error('worker-kill has no fault');
  return {
    ...workerKill,
    id: 'gate-worker-kill',
    steadyState: { ...workerKill.steadyState, windowS: 8 },
    load: { ...workerKill.load, durationS: 30 },
    faults: [{ ...kill, at: 10, durationS: 10 }],
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
