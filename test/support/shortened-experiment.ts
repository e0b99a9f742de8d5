import { defineExperiment } from '../../chaos/experiment/define-experiment.js';
import type { Experiment } from '../../chaos/experiment/experiment-schema.js';

export interface Shortening {
  /** The steady-state window (the one just before the first fault) and the after-check, in s. */
  windowS: number;
  /** The bound put on the e2e and TTFT SLOs; error-rate SLOs keep theirs. */
  latencyBoundMs: number;
  /** Requests per second; the experiment's own rate when unset. */
  rate?: number;
  durationS: number;
  /** When every fault is injected, s after the load's first request. */
  faultAt: number;
  /** How long a fault that has a duration is held. */
  faultDurationS: number;
}

/**
 * A shipped experiment cut down for a test: the fault's mechanics (detection, failed requests, the audit)
 * stay under test, while its latency SLOs get a bound a shared test host holds. The 300 ms standard is
 * the full-length experiments' on a quiet host (npm run bench).
 */
export function shortenedExperiment(experiment: Experiment, s: Shortening): Experiment {
  return defineExperiment({
    ...experiment,
    steadyState: {
      windowS: s.windowS,
      slos: experiment.steadyState.slos.map((slo) =>
        typeof slo !== 'string' && (slo.metric === 'e2e' || slo.metric === 'ttft')
          ? { ...slo, threshold: s.latencyBoundMs }
          : slo,
      ),
    },
    load: { ...experiment.load, ...(s.rate === undefined ? {} : { rate: s.rate }), durationS: s.durationS },
    faults: experiment.faults.map((f) => ({
      ...f,
      at: s.faultAt,
      ...(f.durationS === undefined ? {} : { durationS: s.faultDurationS }),
    })),
  });
}
