import type { Verdict } from '../../reports/model/kinds.js';
import type { Expectations, FaultAction, FaultSpec, RoleName } from '../experiment/experiment-schema.js';
import type { Slo } from '../experiment/slo.js';
import type { JournalEntry } from '../faults/fault-journal.js';
import { linkOf } from '../faults/fault-registry.js';
import { type DetectionObservation, type DetectionStatus, detectionOf } from './detection.js';
import { faultImpact } from './fault-impact.js';
import { judgeFault } from './judge-fault.js';
import type { MeasuredRequest } from './measured-request.js';
import { recoveredAfterMs } from './recovery.js';
import { type SloWindow, sloWindow } from './slo-window.js';

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
  recoveredAfterMs: number | null;
  /** Failed requests that ended while the fault was in force, by error kind. */
  failedRequests: Record<string, number>;
  failedTotal: number;
  streamsCut: number;
  lost: number;
  duplicated: number;
  lostIds: string[];
  duplicatedIds: string[];
  verdict: Verdict;
  reasons: string[];
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
  minSamples?: number;
  /** Recovery windows are 10 s unless set. */
  recoveryWindowMs?: number;
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
      failedRequests: {},
      failedTotal: 0,
      streamsCut: 0,
      lost: 0,
      duplicated: 0,
      lostIds: [],
      duplicatedIds: [],
      verdict: 'inconclusive',
      reasons: [
        entry
          ? `the fault was not injected: ${entry.injectError}`
          : 'the fault was not injected (the run stopped first)',
      ],
      windows: [],
    };
  }
  const injectedAt = entry.injectedAt;
  const opts = ctx.minSamples === undefined ? {} : { minSamples: ctx.minSamples };
  const recovered = recoveredAfterMs(ctx.sorted, injectedAt, ctx.slos, {
    ...opts,
    windowMs: ctx.recoveryWindowMs ?? 10_000,
    endMs: ctx.loadEndMs,
  });
  const revertAt =
    entry.revertedAt !== undefined && entry.revertedAt < ctx.loadEndMs ? entry.revertedAt : ctx.loadEndMs;
  const recoveredAt = recovered === null ? ctx.loadEndMs : injectedAt + recovered;
  const duringEnd = Math.min(ctx.loadEndMs, Math.max(revertAt, recoveredAt));
  const impact = faultImpact(ctx.sorted, injectedAt, duringEnd, ctx.byId);
  const link = linkOf(spec);
  const detection = detectionOf(
    { action: spec.action, ...(link ? { link } : {}) },
    targets,
    injectedAt,
    ctx.observations,
  );
  const judgement = judgeFault({ impact, detection, recoveredAfterMs: recovered }, expectations);
  const windows = [
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
  return {
    ...base,
    injectedAt,
    detection: detection.status,
    detectedAfterMs: detection.afterMs,
    ...(detection.note ? { detectionNote: detection.note } : {}),
    recoveredAfterMs: recovered,
    failedRequests: impact.failedByKind,
    failedTotal: impact.failed,
    streamsCut: impact.streamsCut,
    lost: impact.lost,
    duplicated: impact.duplicated,
    lostIds: impact.lostIds,
    duplicatedIds: impact.duplicatedIds,
    verdict: judgement.verdict,
    reasons: judgement.reasons,
    windows,
  };
}
