import type { SloWindow } from '../../chaos/measure/slo-window.js';
import type { ExperimentResult } from '../../chaos/run-experiment.js';
import type { FaultRecord, SloVerdictRecord } from '../../reports/run-result.js';
import type { SloVerdict } from '../../reports/slo/evaluate-slos.js';

/** The chaos measurements of one experiment as run.json's `faults`, in seconds after the first request. */
export function faultRecords(result: ExperimentResult, timeOriginMs: number): FaultRecord[] {
  const s = (ms: number) => (ms - timeOriginMs) / 1000;
  return result.faults.map((fault) => {
    const injectedAtMs = fault.injectedAt ?? result.loadStartMs;
    const unmet = fault.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'inconclusive');
    return {
      id: fault.id,
      action: fault.action,
      targets: fault.targets,
      injectedAt: new Date(injectedAtMs).toISOString(),
      injectedAtS: s(injectedAtMs),
      revertedAtS: fault.revertedAt === null ? null : s(fault.revertedAt),
      detectedAfterMs: fault.detectedAfterMs,
      detection: {
        status: fault.detection,
        resolutionMs: fault.detectionResolutionMs ?? null,
        ...(fault.detectionNote ? { note: fault.detectionNote } : {}),
      },
      recoveredAfterMs: fault.recoveredAfterMs,
      ...(fault.recovery
        ? {
            recovery: {
              status: fault.recovery.status,
              resolutionMs: fault.recovery.resolutionMs,
              windowMs: fault.recovery.windowMs,
              note: fault.recovery.note,
            },
          }
        : {}),
      failedRequests: fault.failedTotal,
      failedByKind: fault.failedRequests,
      streamsCut: fault.streamsCut,
      duplicatedIds: fault.duplicated,
      lostIds: fault.lost,
      ...(fault.checks.some((c) => c.name === 'maxStalledRequests')
        ? { stalledRequests: fault.stalled }
        : {}),
      verdict: fault.verdict,
      ...(unmet.length > 0 ? { reason: unmet.map((c) => `${c.name}: ${c.detail}`).join('; ') } : {}),
      expectations: fault.checks.map((c) => ({
        name: c.name,
        verdict: c.verdict,
        measured: c.measured,
        limit: c.limit,
        detail: c.detail,
      })),
      windows: fault.windows.map((w) => ({
        name: w.phase,
        fromS: s(w.fromMs),
        toS: s(w.toMs),
        slos: w.slos.map((v) => windowSlo(v, w, timeOriginMs)),
      })),
    };
  });
}

/** One SLO verdict of a chaos window as run.json's record, scoped to the window it was judged over. */
function windowSlo(v: SloVerdict, w: SloWindow, timeOriginMs: number): SloVerdictRecord {
  const record: SloVerdictRecord = {
    id: v.id,
    metric: v.metric,
    op: v.op,
    threshold: v.threshold,
    unit: v.unit,
    scope: { window: { fromS: (w.fromMs - timeOriginMs) / 1000, toS: (w.toMs - timeOriginMs) / 1000 } },
    verdict: v.verdict,
    observed: v.observed,
    ci: v.ci,
    samples: v.samples,
    reason: v.reason,
  };
  if (v.description !== undefined) record.description = v.description;
  if (v.endpoint !== undefined) record.endpoint = v.endpoint;
  if (v.stat !== undefined) record.stat = v.stat;
  if (v.needed !== undefined) record.needed = v.needed;
  return record;
}

/** The steady-state or after-check window of an experiment as SLO records, ids prefixed by the window. */
export function windowSloRecords(w: SloWindow, timeOriginMs: number): SloVerdictRecord[] {
  return w.slos.map((v) => ({ ...windowSlo(v, w, timeOriginMs), id: `${w.phase}:${v.id}` }));
}
