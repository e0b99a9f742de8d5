import { startSpanS } from './collector/aggregate-stats.js';
import { MAX_TIMELINE_SECONDS } from './collector/build-timeline.js';
import type { CollectorResult } from './collector/sample-collector.js';
import { combineVerdicts, ERROR_KINDS, LATENCY_METRICS, type Verdict } from './model/kinds.js';
import type { RunPlan } from './run-plan.js';
import type {
  FaultRecord,
  HistogramRecord,
  RunResult,
  RunTarget,
  ScenarioRecord,
  ServerMetrics,
  TimelinePoint,
} from './run-result.js';
import { evaluateSlos, type LoadInfo, type SloEvaluationOptions } from './slo/evaluate-slos.js';
import { goodputCriteria } from './slo/goodput.js';
import { overloadDuring, overloadsInSeries } from './slo/host-overload.js';
import type { Slo } from './slo/slo-schema.js';
import { encodeHistogram } from './stats/latency-histogram.js';
import { summarizeAggregate } from './summarize-metrics.js';

/** What the harness knows about a run besides the samples. */
export interface RunMeta {
  runId: string;
  startedAt: string;
  endedAt: string;
  /** false for an aborted run: it is still written, with what was measured, and marked incomplete. */
  complete: boolean;
  command: string[];
  config: RunResult['config'];
  seed: number | string;
  /** What to run to repeat this run (gauntlet repro). */
  plan?: RunPlan;
  versions: RunResult['versions'];
  gitCommit: string | null;
  target: RunTarget;
  notes?: string[];
}

export interface BuildRunInput {
  meta: RunMeta;
  collector: CollectorResult;
  /** From the load generator's summary, one per scenario. */
  scenarios: ScenarioRecord[];
  slos: readonly Slo[];
  evaluation?: SloEvaluationOptions;
  serverMetrics?: ServerMetrics;
  faults?: FaultRecord[];
}

/** The run's load, summed over scenarios, with each scenario's own for scoped SLOs. */
export function loadInfoOf(scenarios: readonly ScenarioRecord[], collector: CollectorResult): LoadInfo {
  const targets = scenarios.map((s) => s.targetRate).filter((r): r is number => r !== null);
  const lags = scenarios.map((s) => s.maxSchedulingLagMs).filter((l): l is number => typeof l === 'number');
  // Each scenario's "behind" denominator is its own iterations, not the whole run's samples.
  const samplesOf = (name: string) =>
    collector.byScenarioPhase.filter((a) => a.scenario === name).reduce((s, a) => s + a.count, 0);
  const one = (s: ScenarioRecord) => ({
    targetRate: s.targetRate,
    achievedRate: s.achievedRate,
    droppedIterations: s.droppedIterations,
    iterations: (s.iterations ?? samplesOf(s.name)) + s.droppedIterations,
    maxSchedulingLagMs: s.maxSchedulingLagMs ?? undefined,
    endpoints: s.endpoints,
    durationS: s.durationS,
    phases: s.phases,
  });
  const perScenario = scenarios.map(one);
  const endpoints = scenarios.every((s) => s.endpoints !== undefined)
    ? [...new Set(scenarios.flatMap((s) => s.endpoints ?? []))]
    : undefined;
  return {
    targetRate: targets.length > 0 ? targets.reduce((a, b) => a + b, 0) : null,
    achievedRate: scenarios.reduce((a, s) => a + s.achievedRate, 0),
    droppedIterations: scenarios.reduce((a, s) => a + s.droppedIterations, 0),
    iterations: scenarios.length > 0 ? perScenario.reduce((a, s) => a + s.iterations, 0) : undefined,
    endpoints: scenarios.length > 0 ? endpoints : undefined,
    maxSchedulingLagMs: lags.length > 0 ? Math.max(...lags) : undefined,
    durationS:
      scenarios.length > 0 ? Math.max(...scenarios.map((s) => s.durationS)) : startSpanS(collector.overall),
    scenarios: Object.fromEntries(scenarios.map((s) => [s.name, one(s)])),
  };
}

/**
 * Assembles run.json: evaluates the SLOs, summarises the metrics per endpoint, per phase and per
 * scenario x phase x endpoint, serialises the histograms and the timeline, and decides the verdict:
 * fail if any SLO or fault fails, else inconclusive if any is, else pass; an incomplete run is never a
 * pass (at best inconclusive).
 */
export function buildRunResult(input: BuildRunInput): RunResult {
  const { meta, collector } = input;
  const load = loadInfoOf(input.scenarios, collector);
  const series = input.serverMetrics;
  const overloads = series ? overloadsInSeries(series.series, (series.scrapeIntervalMs ?? 1000) / 1000) : [];
  const evaluation = evaluateSlos(input.slos, collector, load, {
    hostOverloads: overloads,
    ...input.evaluation,
  });
  const criteria = goodputCriteria(input.slos);
  // Rates are per second of the scheduled load (not stretched by the slowest request's tail).
  const runS = load.durationS > 0 ? load.durationS : startSpanS(collector.overall);

  const notes = [...(meta.notes ?? [])];
  if (!meta.complete)
    notes.push('incomplete run: it was aborted; the figures cover what was measured until then');
  if (collector.samples === 0) notes.push('no request samples were collected');
  if (collector.invalidLines > 0) {
    notes.push(
      `${collector.invalidLines} invalid sample lines were skipped (${collector.invalidExamples.join('; ')})`,
    );
  }
  if (evaluation.loadGeneratorBehind) notes.push(evaluation.loadGeneratorBehind);
  const overloaded = overloadDuring(overloads, { fromS: 0, toS: Number.POSITIVE_INFINITY });
  if (overloaded) notes.push(overloaded);
  if ((collector.lastEndMs - collector.timeOriginMs) / 1000 >= MAX_TIMELINE_SECONDS) {
    notes.push(
      `the timeline stops after ${MAX_TIMELINE_SECONDS} s; later requests are in the aggregates only`,
    );
  }

  const faultVerdicts: Verdict[] = (input.faults ?? []).map((f) => f.verdict);
  let verdict = combineVerdicts([evaluation.verdict, ...faultVerdicts]);
  if (!meta.complete && verdict === 'pass') verdict = 'inconclusive';

  const phaseSpan = new Map(
    collector.byScenarioPhase.map((p) => [`${p.scenario}\u0000${p.phase}`, startSpanS(p)]),
  );
  return {
    schemaVersion: 1,
    runId: meta.runId,
    verdict,
    complete: meta.complete,
    startedAt: meta.startedAt,
    endedAt: meta.endedAt,
    command: meta.command,
    config: meta.config,
    seed: meta.seed,
    ...(meta.plan ? { plan: meta.plan } : {}),
    versions: meta.versions,
    gitCommit: meta.gitCommit,
    target: meta.target,
    timeOriginMs: collector.timeOriginMs,
    collection: {
      samples: collector.samples,
      invalidLines: collector.invalidLines,
      invalidExamples: collector.invalidExamples,
      loadGeneratorBehind: evaluation.loadGeneratorBehind,
    },
    scenarios: input.scenarios,
    slos: evaluation.slos,
    metrics: {
      overall: summarizeAggregate(collector.overall, runS, collector, criteria),
      endpoints: collector.byEndpoint.map((a) => summarizeAggregate(a, runS, collector, criteria)),
      phases: collector.byScenarioPhase.map((a) => summarizeAggregate(a, startSpanS(a), collector, criteria)),
      groups: collector.groups.map((a) =>
        summarizeAggregate(
          a,
          phaseSpan.get(`${a.scenario}\u0000${a.phase}`) ?? startSpanS(a),
          collector,
          criteria,
        ),
      ),
    },
    histograms: serializeHistograms(collector),
    timeline: collector.timeline.map(toTimelinePoint),
    serverMetrics: input.serverMetrics ?? { scrapeIntervalMs: null, series: [] },
    ...(input.faults ? { faults: input.faults } : {}),
    notes,
  };
}

function serializeHistograms(collector: CollectorResult): HistogramRecord[] {
  const out: HistogramRecord[] = [];
  for (const group of collector.groups) {
    if (group.scenario === null || group.phase === null || group.endpoint === null) continue;
    for (const metric of LATENCY_METRICS) {
      const h = group.histograms[metric];
      if (h.totalCount === 0) continue;
      out.push({
        scenario: group.scenario,
        phase: group.phase,
        endpoint: group.endpoint,
        metric,
        count: h.totalCount,
        unit: 'us',
        encoding: 'hdr-v2-compressed-base64',
        data: encodeHistogram(h),
      });
    }
  }
  return out;
}

function toTimelinePoint(second: CollectorResult['timeline'][number]): TimelinePoint {
  const errors: TimelinePoint['errors'] = {};
  for (const kind of ERROR_KINDS) if (second.errors[kind] > 0) errors[kind] = second.errors[kind];
  return {
    t: second.t,
    started: second.started,
    completed: second.completed,
    failed: second.failed,
    errors,
    e2e: second.e2e,
    ttft: second.ttft,
  };
}
