import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinkFaults } from '../core/network/link-faults.js';
import type { StackHandle } from '../core/platform/platform.js';
import type { Verdict } from '../reports/model/kinds.js';
import type { HostOverload } from '../reports/slo/host-overload.js';
import type { Clock } from './clock.js';
import { type EndpointMix, type Experiment, expectationsFor } from './experiment/experiment-schema.js';
import type { SloCatalog } from './experiment/resolve-slos.js';
import type { FaultJournal, JournalEntry, JournalNote } from './faults/fault-journal.js';
import type { StackFaults } from './faults/stack-faults.js';
import { type AuditFinding, auditStack } from './measure/audit.js';
import { cancelledIterations } from './measure/cancelled-iterations.js';
import type { DetectionObservation } from './measure/detection.js';
import { indexById } from './measure/fault-impact.js';
import { type FaultResult, measureFault } from './measure/measure-fault.js';
import { sortByStart } from './measure/measured-request.js';
import { type SloWindow, sloWindow } from './measure/slo-window.js';
import { overallVerdict } from './run/judge.js';
import { rollBack } from './run/roll-back.js';
import { planRun, type RunPlan } from './run/run-plan.js';
import { RunRecord } from './run/run-record.js';
import { runSchedule } from './run/run-schedule.js';
import { startLoad } from './run/start-load.js';

/** What the chaos runner asks of a load generator (runner/load's LoadDriver fits it). */
export interface LoadPlan {
  experimentId: string;
  scenario: string;
  /** Requests a second. */
  rate: number;
  durationS: number;
  endpointMix?: EndpointMix;
  gatewayUrl: string;
  apiKey: string;
  /** Where the driver writes its samples file and logs. */
  outDir: string;
}

export interface RunningLoad {
  /** One RequestSample JSON line per finished request, appended while the load runs. */
  samplesFile: string;
  /** Settles when the load has finished and every sample is written. */
  done: Promise<unknown>;
  /** Stops early (abort); resolves when stopped and the samples are flushed. */
  stop(): Promise<unknown>;
}

export interface LoadStarter {
  start(plan: LoadPlan): Promise<RunningLoad>;
}

/** Watches routing during the run; DetectionProbe is the real one. */
export interface RoutingProbe {
  /** How often it polls: the resolution of every detection time. */
  readonly intervalMs?: number;
  start(): void;
  stop(): Promise<void>;
  observations(): readonly DetectionObservation[];
}

export interface RunExperimentOptions {
  stack: StackHandle;
  load: LoadStarter;
  /** The run's folder: the load's samples, chaos-result.json and fault-journal.json go here. */
  outDir: string;
  /** The platform's network faults (needed by network-* faults and the toxic audit). */
  links?: LinkFaults;
  clock?: Clock;
  /**
   * The journal to record into (default: a new one), for a caller that reads it while the experiment runs
   * (the harness exporter's gauntlet_fault_active series).
   */
  journal?: FaultJournal;
  sloCatalog?: SloCatalog;
  /** A routing probe, or false for none (detection then reads not_detected). Default: DetectionProbe. */
  probe?: false | ((stack: StackHandle, faults: StackFaults, maxDurationMs: number) => RoutingProbe);
  log?: (line: string) => void;
  /** How often the schedule, the abort rules and the samples are looked at. */
  tickMs?: number;
  /**
   * How long past its planned end the load may take to finish before it is stopped: the client's request
   * timeout plus a margin, so every request issued ends (or times out) and is counted (65 s).
   */
  loadGraceMs?: number;
  /**
   * When the stack's host was starved (services' event-loop delay over its bound), in seconds since the Unix
   * epoch; asked whenever a window is judged. Latency fails there become inconclusive.
   */
  hostOverloads?: () => readonly HostOverload[];
  /** How long the load may take to record its first request. */
  firstSampleTimeoutMs?: number;
  /** The window that must be back inside the SLOs for a fault to count as recovered (the steady state's). */
  recoveryWindowMs?: number;
  /** How far apart recovery windows start: the recovery time's resolution (1 s). */
  recoveryStepMs?: number;
}

export type ExperimentStatus = 'completed' | 'aborted' | 'steady_state_failed' | 'error';

export interface ExperimentResult {
  experimentId: string;
  title: string;
  expectedOutcome: string;
  status: ExperimentStatus;
  verdict: Verdict;
  reasons: string[];
  startedAt: number;
  endedAt: number;
  loadStartMs: number;
  loadEndMs: number;
  /** The first windowS of load, checked before any fault. */
  steadyState: SloWindow | null;
  /** The last windowS of load. */
  afterCheck: SloWindow | null;
  faults: FaultResult[];
  abort?: { at: number; message: string };
  error?: string;
  rollbackErrors: string[];
  sweeps: string[];
  audit: AuditFinding[];
  journal: { faults: JournalEntry[]; notes: JournalNote[] };
  requests: number;
  /** Iterations the load started and never recorded (cut off): counted as lost requests. */
  cancelledIds: string[];
  malformedLines: number;
  samplesFile: string | null;
}

/**
 * Runs one experiment against a running stack, in named steps: plan (validate against the stack's
 * topology), attach the load, hold the steady state over the first windowS, inject faults on schedule
 * (relative to the load's start; each rolled back after its durationS; abort rules every tick), then,
 * whatever happened, roll back (every fault, then the sweeps), measure (the after-check and a result per
 * fault joined from the journal, the samples and the detection probe), audit, and judge.
 */
export async function runExperiment(
  experiment: Experiment,
  options: RunExperimentOptions,
): Promise<ExperimentResult> {
  const plan = planRun(experiment, options);
  mkdirSync(options.outDir, { recursive: true });
  const run = new RunRecord(plan.clock.now());
  try {
    plan.probe?.start();
    await startLoad(plan, run);
    await runSchedule(plan, run);
  } catch (e) {
    run.status = 'error';
    run.error = (e as Error).message;
    plan.log(`experiment error: ${run.error}`);
  } finally {
    await rollBack(plan, run);
  }
  if (run.reader) run.take(run.reader.read());
  const measured = measure(plan, run);
  const audit = await auditStack(plan.stack, options.links ? { links: options.links } : {});
  const result = resultOf(plan, run, measured, audit);
  writeFileSync(
    join(options.outDir, 'fault-journal.json'),
    `${JSON.stringify(plan.journal.toJSON(), null, 2)}\n`,
  );
  writeFileSync(join(options.outDir, 'chaos-result.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

interface Measured {
  cancelledIds: string[];
  loadEndMs: number;
  afterCheck: SloWindow | null;
  faultResults: FaultResult[];
}

/** Step 5, measure: the after-check over the last windowS of load, and each fault's result. */
function measure(plan: RunPlan, run: RunRecord): Measured {
  const { experiment, stack, options } = plan;
  const loadEndMs = Math.min(run.loadStartMs + plan.durationMs, run.loadStoppedAt ?? plan.clock.now());
  // Iterations the generator started but never recorded are requests too: lost ones, by id.
  const cancelled = cancelledIterations(run.requests, plan.clock.now());
  const sorted = sortByStart([...run.requests, ...cancelled]);
  const evaluation = plan.evaluation();
  const afterCheck =
    run.status === 'completed'
      ? sloWindow('after-check', sorted, loadEndMs - plan.windowMs, loadEndMs, plan.slos, evaluation)
      : null;
  const byId = indexById(sorted);
  const observations = plan.probe?.observations() ?? [];
  const routers = stack.components({ role: 'batcher' }).map((c) => c.id);
  const faultResults = experiment.faults.map((spec) => {
    const entry = plan.journal.entry(spec.id);
    const targets = (entry?.targets ?? []).map((id) => ({ id, role: stack.component(id).role }));
    return measureFault(spec, entry, targets, expectationsFor(experiment, spec), {
      sorted,
      byId,
      slos: plan.slos,
      loadStartMs: run.loadStartMs,
      loadEndMs,
      windowMs: plan.windowMs,
      observations,
      routers,
      ...(plan.probe?.intervalMs === undefined ? {} : { probeIntervalMs: plan.probe.intervalMs }),
      evaluation,
      ...(options.recoveryWindowMs === undefined ? {} : { recoveryWindowMs: options.recoveryWindowMs }),
      ...(options.recoveryStepMs === undefined ? {} : { recoveryStepMs: options.recoveryStepMs }),
    });
  });
  return { loadEndMs, afterCheck, faultResults, cancelledIds: cancelled.map((r) => r.id) };
}

/** Steps 7 and 8 joined into the result: the audit's findings and the verdict. */
function resultOf(
  plan: RunPlan,
  run: RunRecord,
  measured: Measured,
  audit: AuditFinding[],
): ExperimentResult {
  const { experiment } = plan;
  const { verdict, reasons } = overallVerdict({
    status: run.status,
    steadyState: run.steadyState,
    afterCheck: measured.afterCheck,
    abort: run.abort,
    error: run.error,
    rollbackErrors: run.rollbackErrors,
    audit,
    faultResults: measured.faultResults,
  });
  return {
    experimentId: experiment.id,
    title: experiment.title,
    expectedOutcome: experiment.expectedOutcome,
    status: run.status,
    verdict,
    reasons,
    startedAt: run.startedAt,
    endedAt: plan.clock.now(),
    loadStartMs: run.loadStartMs,
    loadEndMs: measured.loadEndMs,
    steadyState: run.steadyState,
    afterCheck: measured.afterCheck,
    faults: measured.faultResults,
    ...(run.abort ? { abort: run.abort } : {}),
    ...(run.error ? { error: run.error } : {}),
    rollbackErrors: run.rollbackErrors,
    sweeps: run.sweeps,
    audit,
    journal: plan.journal.toJSON(),
    requests: run.requests.length,
    cancelledIds: measured.cancelledIds,
    malformedLines: run.reader?.malformedLines ?? 0,
    samplesFile: run.load?.samplesFile ?? null,
  };
}
