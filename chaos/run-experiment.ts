import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinkFaults } from '../core/network/link-faults.js';
import type { StackHandle } from '../core/platform/platform.js';
import { combineVerdicts, type Verdict } from '../reports/model/kinds.js';
import { seededRandom } from '../stack/worker/fault-state.js';
import { type Clock, systemClock } from './clock.js';
import {
  type EndpointMix,
  type Experiment,
  expectationsFor,
  type FaultSpec,
} from './experiment/experiment-schema.js';
import { validateExperiment } from './experiment/load-experiment.js';
import { resolveSlos, type SloCatalog } from './experiment/resolve-slos.js';
import { topologyOfStack } from './experiment/topology.js';
import { FaultJournal, type JournalEntry, type JournalNote } from './faults/fault-journal.js';
import { type InjectedFault, injectFault } from './faults/inject-fault.js';
import { StackFaults } from './faults/stack-faults.js';
import { checkAbort } from './measure/abort-rule.js';
import { type AuditFinding, auditStack } from './measure/audit.js';
import type { DetectionObservation } from './measure/detection.js';
import { DetectionProbe } from './measure/detection-probe.js';
import { indexById } from './measure/fault-impact.js';
import { type FaultResult, measureFault } from './measure/measure-fault.js';
import { endOf, type MeasuredRequest, sortByStart } from './measure/measured-request.js';
import { SamplesReader } from './measure/samples-reader.js';
import { type SloWindow, sloWindow } from './measure/slo-window.js';

/** What the chaos runner asks of a load generator (harness/load's LoadDriver fits it). */
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
  sloCatalog?: SloCatalog;
  /** A routing probe, or false for none (detection then reads not_detected). Default: DetectionProbe. */
  probe?: false | ((stack: StackHandle, faults: StackFaults, maxDurationMs: number) => RoutingProbe);
  log?: (line: string) => void;
  /** How often the schedule, the abort rules and the samples are looked at. */
  tickMs?: number;
  /** How long past its planned end the load may take to finish before it is stopped. */
  loadGraceMs?: number;
  /** Requests a verdict needs before it is more than inconclusive. */
  minSamples?: number;
  /** How long the load may take to record its first request. */
  firstSampleTimeoutMs?: number;
  /** The window that must be back inside the SLOs for a fault to count as recovered (10 s). */
  recoveryWindowMs?: number;
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
  malformedLines: number;
  samplesFile: string | null;
}

interface Scheduled {
  spec: FaultSpec;
  injection: Promise<InjectedFault | undefined>;
  reverting?: Promise<void>;
}

/**
 * Runs one experiment against a running stack: load; the steady state over the first windowS; the fault
 * schedule (relative to the load's start), each fault rolled back after its durationS; abort rules every
 * tick; then, whatever happened, every rollback and the sweeps, the after-check, the audit, and a result
 * per fault joined from the journal, the samples and the detection probe.
 */
export async function runExperiment(
  experiment: Experiment,
  options: RunExperimentOptions,
): Promise<ExperimentResult> {
  const { stack } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? (() => {});
  const tickMs = options.tickMs ?? 1_000;
  const loadGraceMs = options.loadGraceMs ?? 30_000;
  const evalOptions = options.minSamples === undefined ? {} : { minSamples: options.minSamples };
  validateExperiment(experiment, topologyOfStack(stack), `experiment ${experiment.id}`);
  const slos = resolveSlos(experiment, options.sloCatalog);
  const windowMs = experiment.steadyState.windowS * 1000;
  const durationMs = experiment.load.durationS * 1000;
  mkdirSync(options.outDir, { recursive: true });

  const journal = new FaultJournal(clock);
  const faults = new StackFaults(stack, {
    journal,
    clock,
    log,
    ...(options.links ? { links: options.links } : {}),
  });
  const random = seededRandom(experiment.seed ?? stack.config.seed);
  const probe =
    options.probe === false
      ? undefined
      : (options.probe ?? defaultProbe)(stack, faults, durationMs + loadGraceMs + 60_000);

  const startedAt = clock.now();
  const scheduled = new Map<string, Scheduled>();
  const requests: MeasuredRequest[] = [];
  let recent: MeasuredRequest[] = [];
  const maxAbortWindowMs = Math.max(0, ...experiment.abort.map((r) => r.forS * 1000));
  let status: ExperimentStatus = 'completed';
  let steadyState: SloWindow | null = null;
  let abort: ExperimentResult['abort'];
  let error: string | undefined;
  let load: RunningLoad | undefined;
  let reader: SamplesReader | undefined;
  let loadDone = false;
  let loadStartMs = startedAt;
  let loadStoppedAt: number | undefined;
  const rollbackErrors: string[] = [];
  const sweeps: string[] = [];

  const take = (batch: MeasuredRequest[]) => {
    for (const r of batch) {
      requests.push(r);
      recent.push(r);
    }
  };

  try {
    probe?.start();
    load = await options.load.start({
      experimentId: experiment.id,
      scenario: experiment.load.scenario,
      rate: experiment.load.rate,
      durationS: experiment.load.durationS,
      ...(experiment.load.endpointMix ? { endpointMix: experiment.load.endpointMix } : {}),
      gatewayUrl: stack.gatewayUrl,
      apiKey: stack.apiKey,
      outDir: join(options.outDir, 'load'),
    });
    const running = load;
    running.done.then(
      () => {
        loadDone = true;
        loadStoppedAt ??= clock.now();
      },
      (e: Error) => {
        loadDone = true;
        loadStoppedAt ??= clock.now();
        log(`load ended with an error: ${e.message}`);
      },
    );
    reader = new SamplesReader(running.samplesFile);
    // Fault times count from the first request, not from the generator's start-up (k6 takes a while).
    loadStartMs = await firstRequestAt(
      reader,
      take,
      () => loadDone,
      clock,
      options.firstSampleTimeoutMs ?? 60_000,
    );
    log(`load started: ${experiment.load.rate} req/s for ${experiment.load.durationS} s`);

    // Wake at every tick (samples, abort rules) and also exactly when a fault is due, so faults are
    // injected and rolled back on time rather than on the next tick.
    const dueTimes = [
      loadStartMs + windowMs,
      ...experiment.faults.flatMap((f) => [
        loadStartMs + f.at * 1000,
        ...(f.durationS === undefined ? [] : [loadStartMs + (f.at + f.durationS) * 1000]),
      ]),
    ].sort((a, b) => a - b);
    let nextTick = loadStartMs + tickMs;
    const maxWakes = 2 * (Math.ceil((durationMs + loadGraceMs) / tickMs) + 2) + dueTimes.length;
    for (let wake = 0; wake < maxWakes; wake++) {
      const nextDue = dueTimes.find((t) => t > clock.now()) ?? Number.POSITIVE_INFINITY;
      await clock.sleep(Math.min(nextTick, nextDue) - clock.now());
      const now = clock.now();
      const elapsed = now - loadStartMs;
      take(reader.read());
      if (steadyState === null && elapsed >= windowMs) {
        steadyState = sloWindow(
          'steady-state',
          sortByStart(requests),
          loadStartMs,
          loadStartMs + windowMs,
          slos,
          evalOptions,
        );
        journal.note(
          'steady-state',
          `before faults: ${steadyState.verdict} over ${steadyState.requests} requests`,
        );
        log(`steady state: ${steadyState.verdict} (${steadyState.requests} requests)`);
        if (steadyState.verdict !== 'pass') {
          status = 'steady_state_failed';
          break;
        }
      }
      if (steadyState?.verdict === 'pass') {
        for (const spec of experiment.faults) {
          if (!scheduled.has(spec.id) && elapsed >= spec.at * 1000) {
            scheduled.set(spec.id, { spec, injection: inject(spec) });
          }
        }
        for (const s of scheduled.values()) {
          if (s.reverting || s.spec.durationS === undefined) continue;
          if (elapsed >= (s.spec.at + s.spec.durationS) * 1000) s.reverting = revert(s);
        }
      }
      if (now < nextTick) continue;
      nextTick += tickMs * Math.max(1, Math.ceil((now - nextTick + 1) / tickMs));
      recent = recent.filter((r) => endOf(r) >= now - maxAbortWindowMs - 5_000);
      const tripped = experiment.abort.map((rule) => checkAbort(rule, recent, now)).find((c) => c.triggered);
      if (tripped) {
        status = 'aborted';
        abort = { at: now, message: tripped.message };
        journal.note('abort', tripped.message);
        log(`ABORT: ${tripped.message}`);
        break;
      }
      if (loadDone || elapsed >= durationMs + loadGraceMs) break;
    }
  } catch (e) {
    status = 'error';
    error = (e as Error).message;
    log(`experiment error: ${error}`);
  } finally {
    if (load && !loadDone) {
      await load.stop().catch((e: Error) => rollbackErrors.push(`stopping the load: ${e.message}`));
      loadStoppedAt ??= clock.now();
    }
    // Undo in reverse order of injection; every rollback is idempotent, so reverted ones cost nothing.
    for (const s of [...scheduled.values()].reverse()) {
      const injected = await s.injection;
      await s.reverting?.catch(() => {});
      if (injected)
        await injected.rollback.run().catch((e: Error) => rollbackErrors.push(`${s.spec.id}: ${e.message}`));
    }
    for (const sweep of experiment.rollbacks) {
      const done = await runSweep(faults, sweep);
      for (const line of done) journal.note('sweep', `${sweep}: ${line}`);
      sweeps.push(...done.map((line) => `${sweep}: ${line}`));
    }
    await probe?.stop();
  }
  if (reader) take(reader.read());

  const loadEndMs = Math.min(loadStartMs + durationMs, loadStoppedAt ?? clock.now());
  const sorted = sortByStart(requests);
  const afterCheck =
    status === 'completed'
      ? sloWindow('after-check', sorted, loadEndMs - windowMs, loadEndMs, slos, evalOptions)
      : null;
  const audit = await auditStack(stack, options.links ? { links: options.links } : {});
  const byId = indexById(sorted);
  const observations = probe?.observations() ?? [];
  const faultResults = experiment.faults.map((spec) => {
    const entry = journal.entry(spec.id);
    const targets = (entry?.targets ?? []).map((id) => ({ id, role: stack.component(id).role }));
    return measureFault(spec, entry, targets, expectationsFor(experiment, spec), {
      sorted,
      byId,
      slos,
      loadStartMs,
      loadEndMs,
      windowMs,
      observations,
      ...evalOptions,
      ...(options.recoveryWindowMs === undefined ? {} : { recoveryWindowMs: options.recoveryWindowMs }),
    });
  });

  const { verdict, reasons } = overallVerdict({
    status,
    steadyState,
    afterCheck,
    abort,
    error,
    rollbackErrors,
    audit,
    faultResults,
  });
  const result: ExperimentResult = {
    experimentId: experiment.id,
    title: experiment.title,
    expectedOutcome: experiment.expectedOutcome,
    status,
    verdict,
    reasons,
    startedAt,
    endedAt: clock.now(),
    loadStartMs,
    loadEndMs,
    steadyState,
    afterCheck,
    faults: faultResults,
    ...(abort ? { abort } : {}),
    ...(error ? { error } : {}),
    rollbackErrors,
    sweeps,
    audit,
    journal: journal.toJSON(),
    requests: requests.length,
    malformedLines: reader?.malformedLines ?? 0,
    samplesFile: load?.samplesFile ?? null,
  };
  writeFileSync(join(options.outDir, 'fault-journal.json'), `${JSON.stringify(journal.toJSON(), null, 2)}\n`);
  writeFileSync(join(options.outDir, 'chaos-result.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;

  function inject(spec: FaultSpec): Promise<InjectedFault | undefined> {
    log(`injecting ${spec.id} (${spec.action})`);
    return injectFault(spec, faults, stack, random).catch((e: Error) => {
      // Failures before the fault API journaled anything (no target, no etcd leader) still get an entry.
      if (!journal.entry(spec.id)) journal.injectFailed(journal.begin(spec.id, spec.action, []), e);
      log(`${spec.id}: injection failed: ${e.message}`);
      return undefined;
    });
  }

  function revert(s: Scheduled): Promise<void> {
    return s.injection.then(async (injected) => {
      if (!injected) return;
      log(`rolling back ${s.spec.id} after ${s.spec.durationS} s`);
      await injected.rollback.run().catch((e: Error) => rollbackErrors.push(`${s.spec.id}: ${e.message}`));
    });
  }
}

async function firstRequestAt(
  reader: SamplesReader,
  take: (batch: MeasuredRequest[]) => void,
  loadDone: () => boolean,
  clock: Clock,
  timeoutMs: number,
): Promise<number> {
  const deadline = clock.now() + timeoutMs;
  for (let i = 0; i < 100_000 && clock.now() < deadline; i++) {
    const batch = reader.read();
    if (batch.length > 0) {
      take(batch);
      return batch.reduce((min, r) => Math.min(min, r.t0), Number.POSITIVE_INFINITY);
    }
    if (loadDone()) break;
    await clock.sleep(50);
  }
  throw new Error(`the load recorded no request in ${reader.file} within ${timeoutMs} ms`);
}

async function runSweep(faults: StackFaults, sweep: Experiment['rollbacks'][number]): Promise<string[]> {
  switch (sweep) {
    case 'thaw-all':
      return faults.thawAll();
    case 'restart-dead':
      return faults.restartDead();
    case 'clear-gpu-faults':
      return faults.clearGpuFaults();
    case 'clear-network-faults':
      return faults.clearLinkFaults();
  }
}

function defaultProbe(stack: StackHandle, faults: StackFaults, maxDurationMs: number): RoutingProbe {
  const endpoints = (role: 'batcher' | 'etcd') =>
    stack
      .components({ role })
      .filter((c) => c.isAlive() && c.url !== undefined)
      .map((c) => ({ id: c.id, url: faults.direct(c.url as string) }));
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

function overallVerdict(r: {
  status: ExperimentStatus;
  steadyState: SloWindow | null;
  afterCheck: SloWindow | null;
  abort: ExperimentResult['abort'];
  error: string | undefined;
  rollbackErrors: string[];
  audit: AuditFinding[];
  faultResults: FaultResult[];
}): { verdict: Verdict; reasons: string[] } {
  const fails: string[] = [];
  const unsure: string[] = [];
  if (r.status === 'error') unsure.push(`the experiment stopped on an error: ${r.error}`);
  if (r.status === 'steady_state_failed') {
    fails.push(
      `steady state not met before any fault (${describeWindow(r.steadyState)}); no fault was injected`,
    );
  }
  if (r.status === 'completed' && r.steadyState === null)
    unsure.push('the load ended before the steady-state window');
  if (r.abort) fails.push(`aborted: ${r.abort.message}`);
  if (r.afterCheck?.verdict === 'fail') fails.push(`after-check failed (${describeWindow(r.afterCheck)})`);
  if (r.afterCheck?.verdict === 'inconclusive')
    unsure.push(`after-check inconclusive (${describeWindow(r.afterCheck)})`);
  for (const e of r.rollbackErrors) fails.push(`rollback failed: ${e}`);
  for (const f of r.audit) fails.push(`audit: ${f.detail}`);
  for (const f of r.faultResults) {
    if (f.verdict === 'fail')
      fails.push(`fault ${f.id}: ${f.reasons.filter((x) => x.startsWith('FAIL')).join('; ')}`);
    if (f.verdict === 'inconclusive') unsure.push(`fault ${f.id}: ${f.reasons.join('; ')}`);
  }
  const verdict = combineVerdicts([
    ...(fails.length > 0 ? ['fail' as const] : []),
    ...(unsure.length > 0 ? ['inconclusive' as const] : []),
  ]);
  return { verdict, reasons: [...fails, ...unsure] };
}

function describeWindow(w: SloWindow | null): string {
  if (!w) return 'no data';
  const slos = w.slos
    .map((s) => `${s.id} ${s.value === null ? 'n/a' : Number(s.value.toPrecision(4))} ${s.verdict}`)
    .join(', ');
  return `${w.requests} requests; ${slos}`;
}
