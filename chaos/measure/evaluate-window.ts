import { SampleCollector } from '../../reports/collector/sample-collector.js';
import { combineVerdicts, type Endpoint } from '../../reports/model/kinds.js';
import type { RequestSample } from '../../reports/model/request-sample.js';
import { evaluateSlos, type SloEvaluation, type SloVerdict } from '../../reports/slo/evaluate-slos.js';
import type { HostOverload } from '../../reports/slo/host-overload.js';
import { isLatencyMetric } from '../../reports/slo/slo-schema.js';
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
  const evaluation = evaluateSlos(
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
  const lastEndMs = Number.isFinite(result.lastEndMs) ? Math.max(toMs, result.lastEndMs) : toMs;
  const starved = starvedDuring(options.hostOverloads ?? [], fromMs, lastEndMs);
  if (starved.ms === 0) return evaluation;
  const verdicts = evaluation.slos.map((v) => starvedVerdict(v, starved));
  return { ...evaluation, slos: verdicts, verdict: combineVerdicts(verdicts.map((v) => v.verdict)) };
}

interface Starved {
  ms: number;
  services: string[];
}

/** How long, in all, some service of the stack was starved while the window's requests ran. */
function starvedDuring(overloads: readonly HostOverload[], fromMs: number, toMs: number): Starved {
  const spans = overloads
    .map((o) => ({ from: Math.max(fromMs, o.fromS * 1000), to: Math.min(toMs, o.toS * 1000), o }))
    .filter((x) => x.to > x.from)
    .sort((a, b) => a.from - b.from);
  let ms = 0;
  let reach = Number.NEGATIVE_INFINITY;
  for (const { from, to } of spans) {
    if (to <= reach) continue;
    ms += to - Math.max(from, reach);
    reach = to;
  }
  return { ms, services: [...new Set(spans.map((x) => x.o.service))] };
}

/**
 * The evaluator keeps a latency fail on a busy host when its interval clears the threshold by more than the
 * largest event-loop delay. Under sustained starvation that bound is too small: while a service waits for
 * CPU, arrivals keep queueing, so a request can be held up for as long as the starvation lasted. A chaos
 * window's latency fail stands only when its lower bound exceeds the threshold by more than the window's
 * whole starved time; otherwise it is inconclusive.
 */
function starvedVerdict(v: SloVerdict, starved: Starved): SloVerdict {
  if (v.verdict !== 'fail' || !isLatencyMetric(v.metric) || !(v.op === '<' || v.op === '<=')) return v;
  const lower = v.ci?.[0];
  if (lower !== undefined && lower > v.threshold + starved.ms) return v;
  return {
    ...v,
    verdict: 'inconclusive',
    reason: `the stack's host was starved for ${(starved.ms / 1000).toFixed(1)} s while this window's requests ran (event-loop delay over its bound: ${starved.services.join(', ')}), which can hold a request up that long; latency then is the host's CPU, not the stack's (measured: ${v.reason})`,
  };
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
