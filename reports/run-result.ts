import { z } from 'zod';
import { ENDPOINTS, ERROR_KINDS, LATENCY_METRICS } from './model/kinds.js';
import { runPlanSchema } from './run-plan.js';
import { SLO_METRICS, SLO_OPS, SLO_STATS, sloScopeSchema } from './slo/slo-schema.js';

/**
 * run.json: everything a run measured and decided, in one versioned file that the other reports (JUnit,
 * Markdown, HTML) are rendered from and that `compare` reads. Version 1. Adding an optional field keeps
 * the version; renaming, removing or changing the meaning of one bumps it (and run.v2.schema.json).
 * reports/schema/run.v1.schema.json is generated from this schema (write-schema.ts) and a test keeps the
 * committed file equal to it.
 *
 * Times: ISO 8601 strings for wall-clock instants; every `...S` field is seconds after `timeOriginMs`
 * (the Unix ms time of the run's first request), so timeline, fault windows and SLO windows line up.
 * Latencies are milliseconds.
 */

const verdict = z.enum(['pass', 'fail', 'inconclusive']).meta({ id: 'Verdict' });
const count = z.number().int().min(0).meta({ id: 'Count' });
const interval = z
  .tuple([z.number(), z.number()])
  .meta({ id: 'Interval', description: '95 % confidence interval [low, high]' });
const isoTime = z.iso.datetime({ offset: true }).meta({ id: 'IsoTime' });

const errorCounts = z
  .strictObject(
    Object.fromEntries(ERROR_KINDS.map((kind) => [kind, count])) as Record<
      (typeof ERROR_KINDS)[number],
      typeof count
    >,
  )
  .meta({ id: 'ErrorCounts' });

const estimate = z
  .strictObject({
    value: z.number(),
    ci: interval.nullable().describe('null when the sample is too small for one'),
  })
  .meta({ id: 'Estimate' });

const latencySummary = z
  .strictObject({
    n: count,
    mean: z.number(),
    p50: estimate,
    p90: estimate,
    p95: estimate,
    p99: estimate,
    p999: estimate,
    max: z.number(),
  })
  .meta({
    id: 'LatencySummary',
    description: 'Successful requests only; ms. Percentiles are nearest-rank, read from the HDR histogram.',
  });

const metricSummary = z
  .strictObject({
    scenario: z.string().nullable().describe('null: all scenarios'),
    phase: z.string().nullable().describe('null: all phases'),
    endpoint: z.enum(ENDPOINTS).nullable().describe('null: all endpoints'),
    count: count.describe('requests'),
    ok: count.describe('successful requests'),
    errors: errorCounts,
    errorRate: z.number(),
    errorRateCi: interval.nullable(),
    durationS: z.number().min(0),
    throughputRps: z.number().describe('successful requests per second'),
    throughputCi: interval.nullable(),
    outputTokens: count,
    outputTokensPerS: z.number(),
    goodputRps: z
      .number()
      .nullable()
      .describe(
        'successful requests per second that met every per-request latency SLO (e2e, TTFT, TPOT upper bounds)',
      ),
    e2e: latencySummary.nullable(),
    ttft: latencySummary.nullable(),
    itl: latencySummary.nullable(),
    tpot: latencySummary.nullable(),
  })
  .meta({ id: 'MetricSummary' });

const phase = z.strictObject({
  name: z.string(),
  startS: z.number(),
  durationS: z.number().min(0),
  targetRate: z.number().nullable().optional(),
});

const replayRecord = z
  .strictObject({
    trace: z.string().describe('the trace file or run folder replayed'),
    format: z.string().describe('azure-csv, mooncake-jsonl or gauntlet-samples'),
    speedup: z.number().describe('trace time was divided by this'),
    traceRequests: count.describe('requests in the trace'),
    scheduledRequests: count.describe('requests the schedule held (after --max-requests / --duration)'),
    sentRequests: count.describe('requests the generator started'),
    recordedRequests: count.describe('requests with a sample (sent minus those cut at the end of the run)'),
    scheduleErrorMs: z
      .strictObject({ p50: z.number(), p99: z.number(), max: z.number(), n: count })
      .nullable()
      .describe(
        "each request's actual send time minus the time the trace scheduled it at; null: not measured",
      ),
    scheduleErrorLimitMs: z
      .number()
      .describe('the largest schedule error past which latency verdicts are inconclusive'),
  })
  .meta({ id: 'ReplayRecord' });

const scenario = z.strictObject({
  name: z.string(),
  executor: z.string().optional(),
  targetRate: z.number().nullable().describe('planned arrivals per second; null for a closed model'),
  achievedRate: z.number(),
  droppedIterations: count,
  iterations: count.optional().describe('iterations the generator started'),
  maxSchedulingLagMs: z
    .number()
    .nullable()
    .optional()
    .describe('the largest delay of an iteration against its arrival schedule'),
  endpoints: z
    .array(z.enum(ENDPOINTS))
    .optional()
    .describe('endpoints the plan sent traffic to (its mix); SLOs on others are not applicable'),
  durationS: z.number().min(0),
  phases: z.array(phase),
  replay: replayRecord
    .optional()
    .describe('a trace replay: what was replayed and how closely its timestamps held'),
});

export const sloVerdictSchema = z
  .strictObject({
    id: z.string(),
    description: z.string().optional(),
    metric: z.enum(SLO_METRICS),
    endpoint: z.enum(ENDPOINTS).optional(),
    stat: z.enum(SLO_STATS).optional(),
    op: z.enum(SLO_OPS),
    threshold: z.number(),
    unit: z.enum(['ms', 'fraction', 'ratio', 'req/s']),
    scope: sloScopeSchema.optional(),
    verdict: z
      .enum(['pass', 'fail', 'inconclusive', 'not_applicable'])
      .describe('not_applicable: the plan sent its endpoint no traffic by design; it does not count'),
    observed: z.number().nullable(),
    ci: interval.nullable(),
    samples: count,
    reason: z.string(),
    needed: z
      .strictObject({
        samples: count.describe('samples (requests for error_rate) that would decide it'),
        durationS: z.number().nullable().describe("seconds at the scope's observed rate; null: no rate"),
        ratePerS: z.number().nullable().describe('samples per second of the scope'),
      })
      .optional()
      .describe('for an inconclusive verdict that more data would decide: how much'),
  })
  .meta({ id: 'SloVerdict' });

const histogram = z.strictObject({
  scenario: z.string(),
  phase: z.string(),
  endpoint: z.enum(ENDPOINTS),
  metric: z.enum(LATENCY_METRICS),
  count,
  unit: z.literal('us'),
  encoding: z.literal('hdr-v2-compressed-base64').describe('HdrHistogram V2 compressed encoding, base64'),
  data: z.string(),
});

const secondPercentiles = z
  .strictObject({ p50: z.number(), p95: z.number(), p99: z.number() })
  .meta({ id: 'SecondPercentiles' });

const timelinePoint = z
  .strictObject({
    t: count.describe('second after timeOriginMs'),
    started: count.describe('requests that started (t0) in this second'),
    completed: count.describe('successful requests that ended in this second'),
    failed: count.describe('failed requests that ended in this second'),
    errors: z.partialRecord(z.enum(ERROR_KINDS), count).describe('failed, by kind (non-zero kinds only)'),
    e2e: secondPercentiles.nullable().describe('of successful requests that started in this second'),
    ttft: secondPercentiles.nullable(),
  })
  .describe('One second of the run');

const serverSeries = z.strictObject({
  component: z.string().describe('e.g. gateway, batcher-0, worker-2'),
  gauge: z
    .string()
    .describe(
      'queue_depth, batch_size_mean, batch_size_p99, running_sequences, live_workers, or another scraped gauge',
    ),
  unit: z.string().optional(),
  points: z.array(z.tuple([z.number(), z.number()])).describe('[seconds after timeOriginMs, value]'),
});

const faultWindow = z.strictObject({
  name: z.string().describe('before, during, after, or another name'),
  fromS: z.number(),
  toS: z.number(),
  slos: z.array(sloVerdictSchema).optional(),
});

export const faultRecordSchema = z
  .strictObject({
    id: z.string(),
    action: z.string().describe('what was done: kill, freeze, gpu_hang, partition, ...'),
    targets: z.array(z.string()),
    injectedAt: isoTime,
    injectedAtS: z.number(),
    revertedAtS: z.number().nullable(),
    detectedAfterMs: z
      .number()
      .nullable()
      .describe('injection until every router had stopped sending to the faulty part, stamped when seen'),
    detection: z
      .strictObject({
        status: z.enum(['detected', 'not_detected', 'not_applicable']),
        resolutionMs: z
          .number()
          .nullable()
          .describe("the probe's polling interval: the change happened up to this much earlier"),
        note: z.string().optional(),
      })
      .optional(),
    recoveredAfterMs: z
      .number()
      .nullable()
      .describe('injection to the start of the first window back inside the SLOs; null: see recovery.status'),
    recovery: z
      .strictObject({
        status: z
          .enum(['held', 'recovered', 'not_recovered', 'undecided'])
          .describe('held: the SLOs were never left; undecided: no window passed and some were inconclusive'),
        resolutionMs: z.number().describe('recovery windows start this far apart'),
        windowMs: z.number().describe('length of each window judged'),
        note: z.string(),
      })
      .optional(),
    failedRequests: count,
    failedByKind: errorCounts.partial().optional(),
    streamsCut: count.optional(),
    duplicatedIds: count.optional(),
    lostIds: count.optional(),
    stalledRequests: count
      .optional()
      .describe(
        "answered requests that waited past the experiment's stalledAfterS (with maxStalledRequests)",
      ),
    errorBudgetBurned: z
      .number()
      .nullable()
      .optional()
      .describe('failed requests / error budget of the window'),
    verdict,
    reason: z.string().optional(),
    expectations: z
      .array(
        z.strictObject({
          name: z.string().describe('e.g. maxFailedRequests'),
          verdict: z.enum(['pass', 'fail', 'inconclusive', 'not_applicable']),
          measured: z.number().nullable().optional(),
          limit: z.number().nullable().optional(),
          detail: z.string().describe('measured against allowed'),
        }),
      )
      .optional()
      .describe('one entry per expectation of the experiment, met or not'),
    windows: z.array(faultWindow),
  })
  .describe('One injected fault joined with the requests around it (filled in by chaos experiments)');

const target = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('platform'), platform: z.string().describe('local, docker, ...') }),
  z.strictObject({ kind: z.literal('url'), url: z.string() }),
]);

export const runResultSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    runId: z.string().min(1),
    verdict: verdict.describe('fail if any SLO or fault fails, else inconclusive if any is, else pass'),
    complete: z.boolean().describe('false: the run was aborted; what was measured is here'),
    startedAt: isoTime,
    endedAt: isoTime,
    command: z.array(z.string()).describe('argv of the gauntlet command'),
    config: z.strictObject({
      cluster: z.record(z.string(), z.unknown()).nullable(),
      run: z.record(z.string(), z.unknown()),
    }),
    seed: z.union([z.number(), z.string()]),
    plan: runPlanSchema
      .optional()
      .describe('what to run to repeat this run (gauntlet repro); absent in files written before it existed'),
    versions: z.strictObject({
      gauntlet: z.string(),
      k6: z.string().nullable(),
      node: z.string(),
      etcd: z.string().nullable(),
    }),
    gitCommit: z.string().nullable(),
    target,
    timeOriginMs: z.number().describe('Unix ms of the first request: the zero of every ...S field'),
    collection: z.strictObject({
      samples: count,
      invalidLines: count,
      invalidExamples: z.array(z.string()),
      loadGeneratorBehind: z.string().nullable().describe('why latency figures are not trustworthy, or null'),
    }),
    scenarios: z.array(scenario),
    slos: z.array(sloVerdictSchema),
    metrics: z.strictObject({
      overall: metricSummary,
      endpoints: z.array(metricSummary),
      phases: z.array(metricSummary).describe('per scenario x phase, all endpoints'),
      groups: z.array(metricSummary).describe('per scenario x phase x endpoint'),
    }),
    histograms: z.array(histogram).describe('per scenario x phase x endpoint x metric, mergeable'),
    timeline: z.array(timelinePoint),
    serverMetrics: z.strictObject({
      scrapeIntervalMs: z.number().nullable(),
      series: z.array(serverSeries),
      source: z
        .strictObject({
          kind: z.enum(['scrape', 'prometheus']),
          url: z.string().optional().describe('the Prometheus the series were read from (PromQL)'),
          selector: z.string().optional().describe("label matchers that select the run's series"),
          dataDir: z.string().optional().describe("the run's own Prometheus TSDB, kept after the run"),
        })
        .optional()
        .describe("where the server series come from: Gauntlet's own /metrics scrapes, or a Prometheus"),
    }),
    faults: z.array(faultRecordSchema).optional(),
    notes: z.array(z.string()),
  })
  .meta({
    title: 'Gauntlet run result, version 1',
    description: 'run.json, written by gauntlet after every run (reports/run-result.ts)',
  });

export type RunResult = z.output<typeof runResultSchema>;
export type MetricSummary = z.output<typeof metricSummary>;
export type LatencySummary = z.output<typeof latencySummary>;
export type ScenarioRecord = z.output<typeof scenario>;
export type SloVerdictRecord = z.output<typeof sloVerdictSchema>;
export type HistogramRecord = z.output<typeof histogram>;
export type TimelinePoint = z.output<typeof timelinePoint>;
export type ServerMetrics = RunResult['serverMetrics'];
export type ServerSeries = z.output<typeof serverSeries>;
export type FaultRecord = z.output<typeof faultRecordSchema>;
export type FaultWindow = z.output<typeof faultWindow>;
export type RunTarget = z.output<typeof target>;
export const RUN_SCHEMA_VERSION = 1;
