import { SampleCollector } from '../../reports/collector/sample-collector.js';
import type { Endpoint } from '../../reports/model/kinds.js';
import type { RequestSample } from '../../reports/model/request-sample.js';
import { evaluateSlos, type SloEvaluation } from '../../reports/slo/evaluate-slos.js';
import type { HostOverload } from '../../reports/slo/host-overload.js';
import type { Slo } from '../experiment/slo.js';
import type { MeasuredRequest } from './measured-request.js';

export interface WindowEvaluationOptions {
  /**
   * When the stack's host was starved (event-loop delay over its bound), in seconds since the Unix epoch
   * (time origin 0): latency fails that overlap them become inconclusive, as in the reports' evaluator.
   */
  hostOverloads?: readonly HostOverload[];
  /** Endpoints the load sends to; an SLO on another one is not_applicable. Unknown: all. */
  endpoints?: readonly Endpoint[];
}

/**
 * Judges one chaos window (requests sent in [fromMs, toMs), already selected by the caller) with the reports'
 * evaluator: 95 % confidence intervals, `inconclusive` with `needed` when the window holds too few samples,
 * host overloads in the window turning latency fails into `inconclusive`. Chaos has no second evaluator.
 */
export function evaluateWindow(
  requests: readonly MeasuredRequest[],
  fromMs: number,
  toMs: number,
  slos: readonly Slo[],
  options: WindowEvaluationOptions = {},
): SloEvaluation {
  const collector = new SampleCollector({ timeOriginMs: fromMs });
  for (const r of requests) collector.ingestLine(JSON.stringify(sampleOf(r)));
  const result = collector.result();
  const durationS = Math.max(0.001, (toMs - fromMs) / 1000);
  const originS = fromMs / 1000;
  const overloads = (options.hostOverloads ?? []).map((o) => ({
    ...o,
    fromS: o.fromS - originS,
    toS: o.toS - originS,
  }));
  return evaluateSlos(
    slos,
    result,
    {
      targetRate: null,
      achievedRate: requests.length / durationS,
      droppedIterations: 0,
      durationS,
      ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    },
    { hostOverloads: overloads },
  );
}

/** The window's requests in the collector's sample shape: one scenario and phase, the window itself. */
function sampleOf(r: MeasuredRequest): RequestSample {
  const sample: RequestSample = {
    id: r.id,
    sc: 'chaos',
    ph: 'window',
    ep: (r.ep as RequestSample['ep'] | undefined) ?? 'infer',
    t0: r.t0,
    st: r.st ?? (r.ok ? 200 : 0),
    ok: r.ok ? 1 : 0,
    e2e: r.e2e,
    out: r.out ?? 1,
  };
  if (r.err !== undefined) sample.err = r.err as NonNullable<RequestSample['err']>;
  if (r.ttft !== undefined) sample.ttft = r.ttft;
  return sample;
}
