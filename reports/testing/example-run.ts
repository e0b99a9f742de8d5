import { buildRunResult } from '../build-run-result.js';
import { SampleCollector } from '../collector/sample-collector.js';
import { type SyntheticFault, syntheticSamples } from '../collector/synthetic-samples.js';
import type { FaultRecord, RunResult, ServerSeries } from '../run-result.js';
import { evaluateSlos } from '../slo/evaluate-slos.js';
import { loadDefaultSlos } from '../slo/load-slos.js';
import type { Slo } from '../slo/slo-schema.js';

export interface ExampleRunOptions {
  samples?: number;
  seed?: number;
  ratePerS?: number;
  latencyScale?: number;
  errorRate?: number;
  /** Adds a worker kill from 40 % to 60 % of the run, joined to the requests like chaos would. */
  withFault?: boolean;
  complete?: boolean;
  droppedIterations?: number;
  slos?: Slo[];
  runId?: string;
}

const START_MS = Date.UTC(2025, 0, 15, 12, 0, 0);

/**
 * A realistic RunResult built the way a run builds it: synthetic samples through the SampleCollector,
 * the default SLOs, scraped-looking server gauges and, optionally, one fault with before/during/after
 * windows. For renderer, compare and schema tests and for trying the reports by hand.
 */
export function exampleRun(options: ExampleRunOptions = {}): RunResult {
  const samples = options.samples ?? 12_000;
  const rate = options.ratePerS ?? 200;
  const durationS = samples / rate;
  const faultWindow = { fromS: Math.round(durationS * 0.4), toS: Math.round(durationS * 0.6) };
  const faults: SyntheticFault[] = options.withFault
    ? [{ ...faultWindow, errorRate: 0.05, latencyScale: 2.5 }]
    : [];
  const collector = new SampleCollector({ timeOriginMs: START_MS });
  let text = '';
  for (const s of syntheticSamples({
    samples,
    seed: options.seed ?? 1,
    startMs: START_MS,
    ratePerS: rate,
    latencyScale: options.latencyScale ?? 1,
    errorRate: options.errorRate ?? 0.0002,
    faults,
  })) {
    text += `${JSON.stringify(s)}\n`;
  }
  collector.ingestChunk(Buffer.from(text));
  const result = collector.result();
  const slos = options.slos ?? loadDefaultSlos();
  const dropped = options.droppedIterations ?? 0;
  const scenario = {
    name: 'load',
    executor: 'constant-arrival-rate',
    targetRate: rate,
    achievedRate: (samples / (samples + dropped)) * rate,
    droppedIterations: dropped,
    maxSchedulingLagMs: 3.2,
    durationS: Math.round(durationS),
    phases: [
      { name: 'warmup', startS: 0, durationS: Math.round(durationS * 0.1) },
      { name: 'steady', startS: Math.round(durationS * 0.1), durationS: Math.round(durationS * 0.9) },
    ],
  };

  const faultRecords: FaultRecord[] = [];
  if (options.withFault) {
    const windows = [
      { name: 'before', fromS: 0, toS: faultWindow.fromS },
      { name: 'during', ...faultWindow },
      { name: 'after', fromS: faultWindow.toS, toS: Math.floor(durationS) },
    ].map((w) => ({
      ...w,
      slos: evaluateSlos(
        slos
          .filter((s) => s.metric !== 'achieved_rate')
          .map((s) => ({ ...s, scope: { ...s.scope, window: { fromS: w.fromS, toS: w.toS } } })),
        result,
        { targetRate: rate, achievedRate: rate, droppedIterations: 0, durationS },
      ).slos,
    }));
    const during = result.table.failuresInWindow(
      START_MS + faultWindow.fromS * 1000,
      START_MS + faultWindow.toS * 1000,
    );
    const duringVerdicts = windows[1]?.slos ?? [];
    faultRecords.push({
      id: 'kill-worker-1',
      action: 'kill',
      targets: ['worker-1'],
      injectedAt: new Date(START_MS + faultWindow.fromS * 1000).toISOString(),
      injectedAtS: faultWindow.fromS,
      revertedAtS: faultWindow.toS,
      detectedAfterMs: 120,
      recoveredAfterMs: (faultWindow.toS - faultWindow.fromS) * 1000 + 800,
      failedRequests: during.failed,
      failedByKind: Object.fromEntries(Object.entries(during.byKind).filter(([, n]) => n > 0)),
      streamsCut: result.table.streamsCut(
        START_MS + faultWindow.fromS * 1000,
        START_MS + faultWindow.toS * 1000,
      ).length,
      duplicatedIds: result.table.duplicateIds().size,
      lostIds: 0,
      errorBudgetBurned: during.total > 0 ? during.failed / (during.total * 0.001) : null,
      verdict: duringVerdicts.some((v) => v.verdict === 'fail') ? 'fail' : 'pass',
      reason: 'SLOs during the fault window',
      windows,
    });
  }

  const series: ServerSeries[] = [];
  const seconds = Math.ceil(durationS);
  const inFault = (t: number) => options.withFault === true && t >= faultWindow.fromS && t < faultWindow.toS;
  const gauge = (component: string, name: string, f: (t: number) => number) =>
    series.push({ component, gauge: name, points: Array.from({ length: seconds }, (_, t) => [t, f(t)]) });
  gauge('batcher-0', 'queue_depth', (t) => (inFault(t) ? 40 + (t % 7) * 3 : 2 + (t % 5)));
  gauge('batcher-0', 'batch_size_mean', (t) => (inFault(t) ? 14 : 8 + (t % 3)));
  gauge('batcher-0', 'batch_size_p99', (t) => (inFault(t) ? 16 : 13 + (t % 2)));
  gauge('batcher-0', 'running_sequences', (t) => (inFault(t) ? 30 : 20 + (t % 4)));
  gauge('gateway', 'live_workers', (t) => (inFault(t) ? 3 : 4));

  return buildRunResult({
    meta: {
      runId: options.runId ?? 'run-20250115-120000-example',
      startedAt: new Date(START_MS).toISOString(),
      endedAt: new Date(START_MS + durationS * 1000).toISOString(),
      complete: options.complete ?? true,
      command: ['gauntlet', 'run', '--scenario', 'load', '--rate', String(rate)],
      config: {
        cluster: { workers: 4, batchers: 1 },
        run: { scenario: 'load', rate, seed: options.seed ?? 1 },
      },
      seed: options.seed ?? 1,
      versions: { gauntlet: '0.1.0', k6: 'v1.0.0', node: process.version, etcd: '3.5.17' },
      gitCommit: '0123456789abcdef0123456789abcdef01234567',
      target: { kind: 'platform', platform: 'local' },
    },
    collector: result,
    scenarios: [scenario],
    slos,
    serverMetrics: { scrapeIntervalMs: 1000, series },
    ...(options.withFault ? { faults: faultRecords } : {}),
  });
}
