import { combineVerdicts } from '../model/kinds.js';
import type { MetricSummary, RunResult } from '../run-result.js';
import { poissonInterval, wilsonInterval } from '../stats/intervals.js';

/**
 * Several runs of one configuration (the segments of an interleaved `ab`) as one run for `compareRuns`:
 * histograms side by side (compare merges them), request counts summed with the error-rate and throughput
 * intervals recomputed over the summed duration. SLO verdicts are not pooled: each segment judged its own
 * share, and a verdict of the pool would need the samples again; the pool has none, and says so.
 */
export function poolRuns(runs: readonly RunResult[], runId: string): RunResult {
  const first = runs[0];
  if (!first) throw new RangeError('poolRuns needs at least one run');
  if (runs.length === 1) return { ...first, runId };
  const endpoints = [...new Set(runs.flatMap((r) => r.metrics.endpoints.map((m) => m.endpoint)))];
  const behind = runs.map((r) => r.collection.loadGeneratorBehind).find((b) => b !== null) ?? null;
  return {
    ...first,
    runId,
    verdict: combineVerdicts(runs.map((r) => r.verdict)),
    complete: runs.every((r) => r.complete),
    endedAt: runs.at(-1)?.endedAt ?? first.endedAt,
    collection: {
      samples: sum(runs.map((r) => r.collection.samples)),
      invalidLines: sum(runs.map((r) => r.collection.invalidLines)),
      invalidExamples: runs.flatMap((r) => r.collection.invalidExamples).slice(0, 5),
      loadGeneratorBehind: behind,
    },
    slos: [],
    metrics: {
      overall: poolSummaries(runs.map((r) => r.metrics.overall)),
      endpoints: endpoints.map((endpoint) =>
        poolSummaries(runs.flatMap((r) => r.metrics.endpoints.filter((m) => m.endpoint === endpoint))),
      ),
      phases: [],
      groups: [],
    },
    histograms: runs.flatMap((r) => r.histograms),
    timeline: [],
    serverMetrics: {
      scrapeIntervalMs: first.serverMetrics.scrapeIntervalMs,
      series: runs.flatMap((r) => r.serverMetrics.series),
    },
    notes: [
      `${runs.length} runs pooled (${runs.map((r) => r.runId).join(', ')}); SLO verdicts are per run, not pooled`,
      ...runs.flatMap((r) => r.notes.map((n) => `${r.runId}: ${n}`)),
    ],
  };
}

/** Counts and rates summed; latency summaries left out (compare reads latency from the histograms). */
function poolSummaries(parts: readonly MetricSummary[]): MetricSummary {
  const [first] = parts;
  if (!first) throw new RangeError('poolSummaries needs at least one summary');
  const count = sum(parts.map((p) => p.count));
  const ok = sum(parts.map((p) => p.ok));
  const durationS = sum(parts.map((p) => p.durationS));
  const errors = { ...first.errors };
  for (const p of parts.slice(1))
    for (const kind of Object.keys(errors) as Array<keyof typeof errors>) errors[kind] += p.errors[kind];
  const errorCi = wilsonInterval(count - ok, count);
  const throughput = poissonInterval(ok);
  const outputTokens = sum(parts.map((p) => p.outputTokens));
  return {
    scenario: first.scenario,
    phase: null,
    endpoint: first.endpoint,
    count,
    ok,
    errors,
    errorRate: count > 0 ? (count - ok) / count : 0,
    errorRateCi: errorCi,
    durationS,
    throughputRps: durationS > 0 ? ok / durationS : 0,
    throughputCi: durationS > 0 ? [throughput[0] / durationS, throughput[1] / durationS] : null,
    outputTokens,
    outputTokensPerS: durationS > 0 ? outputTokens / durationS : 0,
    goodputRps: null,
    e2e: null,
    ttft: null,
    itl: null,
    tpot: null,
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
