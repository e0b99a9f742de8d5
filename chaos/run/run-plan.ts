import type { StackHandle } from '../../core/platform/platform.js';
import { mulberry32 } from '../../core/random/prng.js';
import { ENDPOINTS, type Endpoint } from '../../reports/model/kinds.js';
import { type Clock, systemClock } from '../clock.js';
import type { Experiment } from '../experiment/experiment-schema.js';
import { validateExperiment } from '../experiment/load-experiment.js';
import { resolveSlos } from '../experiment/resolve-slos.js';
import type { Slo } from '../experiment/slo.js';
import { topologyOfStack } from '../experiment/topology.js';
import { FaultJournal } from '../faults/fault-journal.js';
import { StackFaults } from '../faults/stack-faults.js';
import { DetectionProbe } from '../measure/detection-probe.js';
import type { WindowEvaluationOptions } from '../measure/evaluate-window.js';
import type { RoutingProbe, RunExperimentOptions } from '../run-experiment.js';

/** Everything fixed before the run starts: settings with their defaults, the SLOs, the fault API, the probe. */
export interface RunPlan {
  experiment: Experiment;
  options: RunExperimentOptions;
  stack: StackHandle;
  clock: Clock;
  log: (line: string) => void;
  tickMs: number;
  loadGraceMs: number;
  /** The reports' evaluator's options for a window: host overloads so far, the load's endpoints. */
  evaluation: () => WindowEvaluationOptions;
  slos: Slo[];
  windowMs: number;
  /**
   * When the steady-state window ends (ms after the load started): at the first fault, so the seconds before
   * its window (a cold stack's first requests) are warm-up; windowMs when the experiment has no fault.
   */
  steadyStateEndMs: number;
  durationMs: number;
  maxAbortWindowMs: number;
  journal: FaultJournal;
  faults: StackFaults;
  random: () => number;
  probe: RoutingProbe | undefined;
}

/** Step 1, plan: validates the experiment against the running stack's topology and fixes the settings. */
export function planRun(experiment: Experiment, options: RunExperimentOptions): RunPlan {
  const { stack } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const loadGraceMs = options.loadGraceMs ?? 70_000;
  validateExperiment(experiment, topologyOfStack(stack), `experiment ${experiment.id}`);
  const slos = resolveSlos(experiment, options.sloCatalog);
  const durationMs = experiment.load.durationS * 1000;
  const journal = options.journal ?? new FaultJournal(clock);
  const faults = new StackFaults(stack, {
    journal,
    clock,
    log,
    ...(options.links ? { links: options.links } : {}),
  });
  const probe =
    options.probe === false
      ? undefined
      : (options.probe ?? defaultProbe)(stack, faults, durationMs + loadGraceMs + 60_000);
  return {
    experiment,
    options,
    stack,
    clock,
    log,
    tickMs: options.tickMs ?? 1_000,
    loadGraceMs,
    evaluation: () => ({
      hostOverloads: options.hostOverloads?.() ?? [],
      ...(experiment.load.endpointMix ? { endpoints: mixEndpoints(experiment.load.endpointMix) } : {}),
    }),
    slos,
    windowMs: experiment.steadyState.windowS * 1000,
    steadyStateEndMs:
      (experiment.faults.length > 0
        ? Math.min(...experiment.faults.map((f) => f.at))
        : experiment.steadyState.windowS) * 1000,
    durationMs,
    maxAbortWindowMs: Math.max(0, ...experiment.abort.map((r) => r.forS * 1000)),
    journal,
    faults,
    random: mulberry32(experiment.seed ?? stack.config.seed),
    probe,
  };
}

function defaultProbe(stack: StackHandle, faults: StackFaults, maxDurationMs: number): RoutingProbe {
  const endpoints = (role: 'batcher' | 'etcd') => faults.reachable(stack.components({ role }));
  return new DetectionProbe({
    cluster: stack.config.cluster_name,
    batchers: () => endpoints('batcher'),
    etcdMembers: () => endpoints('etcd'),
    expected: () => ({
      workers: stack.components({ role: 'worker' }).map((c) => c.id),
      batchers: stack.components({ role: 'batcher' }).map((c) => c.id),
    }),
    maxDurationMs,
  });
}

function mixEndpoints(mix: Partial<Record<Endpoint, number>>): Endpoint[] {
  return ENDPOINTS.filter((e) => (mix[e] ?? 0) > 0);
}
