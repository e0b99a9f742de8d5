import type { Verdict } from '../../reports/model/kinds.js';
import { overloadDuring } from '../../reports/slo/host-overload.js';
import {
  DEFAULT_STALLED_AFTER_S,
  type Expectations,
  type FaultAction,
  type FaultSpec,
  type RoleName,
} from '../experiment/experiment-schema.js';
import type { Slo } from '../experiment/slo.js';
import type { JournalEntry } from '../faults/fault-journal.js';
import { linkOf } from '../faults/fault-registry.js';
import { type DetectionObservation, type DetectionStatus, detectionOf } from './detection.js';
import type { WindowEvaluationOptions } from './evaluate-window.js';
import { failuresOf, faultImpact } from './fault-impact.js';
import { type ExpectationCheck, judgeFault } from './judge-fault.js';
import { type MeasuredRequest, sentIn } from './measured-request.js';
import { type Recovery, recoveryOf } from './recovery.js';
import { type SloWindow, sloWindow } from './slo-window.js';
import { stalledRequests } from './stalled-requests.js';

/** One fault's outcome, joined from the journal, the requests and the detection probe. Times in Unix ms. */
export interface FaultResult {
  id: string;
  action: FaultAction;
  targets: string[];
  injectedAt: number | null;
  revertedAt: number | null;
  injectError?: string;
  revertError?: string;
  detection: DetectionStatus;
  detectedAfterMs: number | null;
  detectionNote?: string;
  /** The probe's polling interval: detection happened up to this much before detectedAfterMs. */
  detectionResolutionMs?: number;
  /** Injection to the first window back inside the SLOs; null unless `recovery.status` is recovered. */
  recoveredAfterMs: number | null;
  recovery: Recovery | null;
  /** Failed requests that overlapped the fault (sent before it ended, ended after it began), by kind. */
  failedRequests: Record<string, number>;
  failedTotal: number;
  streamsCut: number;
  lost: number;
  duplicated: number;
  lostIds: string[];
  duplicatedIds: string[];
  /** Answered requests that waited past the experiment's stalledAfterS (0 unless maxStalledRequests is set). */
  stalled: number;
  verdict: Verdict;
  /** One structured record per expectation: measured, allowed, verdict. */
  checks: ExpectationCheck[];
  /**
   * By send time. before: the windowS before injection (requests that also ended before it: those in flight
   * belong to the fault); during: from injection to max(rollback, recovery); after: to the load's end.
   */
  windows: SloWindow[];
}

export interface MeasureContext {
  /** Every request of the run, sorted by t0. */
  sorted: readonly MeasuredRequest[];
  byId: Map<string, MeasuredRequest[]>;
  slos: readonly Slo[];
  loadStartMs: number;
  loadEndMs: number;
  /** The steady-state window: the "before" window is this long. */
  windowMs: number;
  observations: readonly DetectionObservation[];
  /** Batchers that route to workers (up during the run): a worker is detected when all dropped it. */
  routers?: readonly string[];
  /** The detection probe's polling interval. */
  probeIntervalMs?: number;
  /** Recovery windows are as long as the steady-state window unless set. */
  recoveryWindowMs?: number;
  /** How far apart recovery windows start (1 s). */
  recoveryStepMs?: number;
  /** Host overloads and the load's endpoints, for the reports' evaluator. */
  evaluation?: WindowEvaluationOptions;
}

export function measureFault(
  spec: FaultSpec,
  entry: JournalEntry | undefined,
  targets: ReadonlyArray<{ id: string; role: RoleName }>,
  expectations: Expectations,
  ctx: MeasureContext,
): FaultResult {
  const base = {
    id: spec.id,
    action: spec.action,
    targets: targets.map((t) => t.id),
    revertedAt: entry?.revertedAt ?? null,
    ...(entry?.revertError ? { revertError: entry.revertError } : {}),
  };
  if (!entry || entry.injectError !== undefined) {
    return {
      ...base,
      injectedAt: entry?.injectedAt ?? null,
      ...(entry?.injectError ? { injectError: entry.injectError } : {}),
      detection: 'not_applicable',
      detectedAfterMs: null,
      recoveredAfterMs: null,
      recovery: null,
      failedRequests: {},
      failedTotal: 0,
      streamsCut: 0,
      lost: 0,
      duplicated: 0,
      lostIds: [],
      duplicatedIds: [],
      stalled: 0,
      verdict: 'inconclusive',
      checks: [
        {
          name: 'injected',
          verdict: 'inconclusive',
          measured: null,
          limit: null,
          detail: entry
            ? `the fault was not injected: ${entry.injectError}`
            : 'the fault was not injected (the run stopped first)',
        },
      ],
      windows: [],
    };
  }
  const injectedAt = entry.injectedAt;
  const opts = ctx.evaluation ?? {};
  const revertAt =
    entry.revertedAt !== undefined && entry.revertedAt < ctx.loadEndMs ? entry.revertedAt : ctx.loadEndMs;
  const link = linkOf(spec);
  const detection = detectionOf(
    { action: spec.action, ...(link ? { link } : {}) },
    targets,
    injectedAt,
    ctx.observations,
    {
      routers: (ctx.routers ?? []).filter((r) => !targets.some((t) => t.id === r)),
      ...(ctx.probeIntervalMs === undefined ? {} : { resolutionMs: ctx.probeIntervalMs }),
    },
  );
  // While the fault is still in force the stack has recovered only once it routes around it.
  const routedAround = detection.afterMs === null ? revertAt : injectedAt + detection.afterMs;
  const recovery = recoveryOf(ctx.sorted, injectedAt, ctx.slos, {
    ...opts,
    windowMs: ctx.recoveryWindowMs ?? ctx.windowMs,
    ...(ctx.recoveryStepMs === undefined ? {} : { stepMs: ctx.recoveryStepMs }),
    endMs: ctx.loadEndMs,
    eligibleFromMs: Math.min(revertAt, routedAround),
    faultEndMs: revertAt,
  });
  const recovered = recovery.afterMs;
  const recoveredAt = recovered === null ? revertAt : injectedAt + recovered;
  const duringEnd = Math.min(ctx.loadEndMs, Math.max(revertAt, recoveredAt));
  const impact = faultImpact(ctx.sorted, injectedAt, duringEnd, ctx.byId);
  const judged = [
    sloWindow(
      'before',
      ctx.sorted,
      Math.max(ctx.loadStartMs, injectedAt - ctx.windowMs),
      injectedAt,
      ctx.slos,
      { ...opts, endedBy: injectedAt },
    ),
    sloWindow('during', ctx.sorted, injectedAt, duringEnd, ctx.slos, opts),
    sloWindow('after', ctx.sorted, duringEnd, ctx.loadEndMs, ctx.slos, opts),
  ];
  const after = judged[2];
  // A window with no time in it (a fault injected at the load's first instant, or one whose recovery the load
  // ended before) is not a span of the run: the judgement still sees it (its after-window check is then
  // inconclusive and says why), the record keeps only windows that cover time.
  const windows = judged.filter((w) => w.toMs > w.fromMs);
  // Times measured while the stack's host was starved say nothing against the stack (judge-fault.ts).
  const hostStarved = overloadDuring(opts.hostOverloads ?? [], {
    fromS: injectedAt / 1000,
    toS: duringEnd / 1000,
  });
  const stalled =
    expectations.maxStalledRequests === undefined
      ? undefined
      : stalledRequests(
          ctx.sorted,
          injectedAt,
          (expectations.stalledAfterS ?? DEFAULT_STALLED_AFTER_S) * 1000,
        );
  const stalledHostStarved = overloadDuring(opts.hostOverloads ?? [], {
    fromS: injectedAt / 1000,
    toS: ctx.loadEndMs / 1000,
  });
  // Sent after the rollback finished: what the fault left behind once it was gone.
  const afterRollback =
    entry.revertedAt !== undefined && entry.revertedAt < ctx.loadEndMs
      ? failuresOf(sentIn(ctx.sorted, entry.revertedAt, ctx.loadEndMs))
      : undefined;
  const judgement = judgeFault(
    {
      impact,
      ...(afterRollback ? { afterRollback } : {}),
      detection,
      recovery,
      ...(after ? { after } : {}),
      ...(hostStarved ? { hostStarved } : {}),
      ...(stalled ? { stalled } : {}),
      ...(stalledHostStarved ? { stalledHostStarved } : {}),
    },
    expectations,
  );
  return {
    ...base,
    injectedAt,
    detection: detection.status,
    detectedAfterMs: detection.afterMs,
    ...(detection.note ? { detectionNote: detection.note } : {}),
    ...(detection.resolutionMs === undefined ? {} : { detectionResolutionMs: detection.resolutionMs }),
    recoveredAfterMs: recovered,
    recovery,
    failedRequests: impact.failedByKind,
    failedTotal: impact.failed,
    streamsCut: impact.streamsCut,
    lost: impact.lost,
    duplicated: impact.duplicated,
    lostIds: impact.lostIds,
    duplicatedIds: impact.duplicatedIds,
    stalled: stalled?.count ?? 0,
    verdict: judgement.verdict,
    checks: judgement.checks,
    windows,
  };
}
