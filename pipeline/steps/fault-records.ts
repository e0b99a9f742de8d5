import type { SloWindow } from '../../chaos/measure/slo-window.js';
import type { ExperimentResult } from '../../chaos/run-experiment.js';
import type { FaultRecord, SloVerdictRecord } from '../../reports/run-result.js';

/** The chaos measurements of one experiment as run.json's `faults`, in seconds after the first request. */
export function faultRecords(result: ExperimentResult, timeOriginMs: number): FaultRecord[] {
  const s = (ms: number) => (ms - timeOriginMs) / 1000;
  return result.faults.map((fault) => {
    const injectedAtMs = fault.injectedAt ?? result.loadStartMs;
    return {
      id: fault.id,
      action: fault.action,
      targets: fault.targets,
      injectedAt: new Date(injectedAtMs).toISOString(),
      injectedAtS: s(injectedAtMs),
      revertedAtS: fault.revertedAt === null ? null : s(fault.revertedAt),
      detectedAfterMs: fault.detectedAfterMs,
      recoveredAfterMs: fault.recoveredAfterMs,
      failedRequests: fault.failedTotal,
      failedByKind: fault.failedRequests,
      streamsCut: fault.streamsCut,
      duplicatedIds: fault.duplicated,
      lostIds: fault.lost,
      verdict: fault.verdict,
      ...(fault.reasons.length > 0 ? { reason: fault.reasons.join('; ') } : {}),
      expectations: fault.reasons.map(expectationOf),
      windows: fault.windows.map((w) => ({
        name: w.phase,
        fromS: s(w.fromMs),
        toS: s(w.toMs),
        slos: w.slos.map((r) => windowSlo(r, w)),
      })),
    };
  });
}

function windowSlo(r: SloWindow['slos'][number], w: SloWindow): SloVerdictRecord {
  const unit = r.slo.metric === 'error_rate' ? 'fraction' : 'ms';
  return {
    id: r.id,
    metric: r.slo.metric,
    ...(r.slo.endpoint ? { endpoint: r.slo.endpoint } : {}),
    ...(r.slo.stat ? { stat: r.slo.stat } : {}),
    op: r.slo.op,
    threshold: r.slo.threshold,
    unit,
    verdict: r.verdict,
    observed: r.value,
    ci: null,
    samples: r.n,
    reason: `${w.phase} window: ${r.value ?? '-'} over ${r.n} requests`,
  };
}

/** A judge line ("ok: ...", "FAIL: ...", "n/a: ...") as an expectation record named by its limit. */
function expectationOf(reason: string): {
  name: string;
  verdict: 'pass' | 'fail' | 'inconclusive';
  detail: string;
} {
  const match = /^(ok|FAIL|n\/a): (.*)$/.exec(reason);
  const detail = match?.[2] ?? reason;
  const name =
    /\b(max[A-Za-z]+)\b/.exec(detail)?.[1] ??
    (/lost/.test(detail) ? 'noLostRequests' : /duplicated/.test(detail) ? 'noDuplicates' : 'expectation');
  const verdict = match?.[1] === 'ok' ? 'pass' : match?.[1] === 'FAIL' ? 'fail' : 'inconclusive';
  return { name, verdict, detail };
}

/** The steady-state or after-check window of an experiment as SLO records, ids prefixed by the window. */
export function windowSloRecords(w: SloWindow, timeOriginMs: number): SloVerdictRecord[] {
  const scope = { window: { fromS: (w.fromMs - timeOriginMs) / 1000, toS: (w.toMs - timeOriginMs) / 1000 } };
  return w.slos.map((r) => ({ ...windowSlo(r, w), id: `${w.phase}:${r.id}`, scope }));
}
