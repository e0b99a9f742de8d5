import type { ErrorKind, RequestSample } from '../../reports/model/request-sample.ts';
import type { Endpoint } from './endpoint-mix.ts';
import type { StreamSummary } from './stream-summary.ts';

/** Everything known about one finished (not canceled) request. */
export interface RequestRecord {
  id: string;
  scenario: string;
  phase: string;
  endpoint: Endpoint;
  /** Send time, Unix ms. */
  t0UnixMs: number;
  e2eMs: number;
  status: number;
  error: ErrorKind | undefined;
  /** Streamed requests: the reading of their events. */
  stream: StreamSummary | undefined;
  /** Non-streamed requests: usage from the JSON body, when present. */
  usage: { completionTokens?: number; promptTokens?: number } | undefined;
  /** Response headers, lower-case names. */
  headers: Readonly<Record<string, string>>;
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;
const round3 = (ms: number) => Math.round(ms * 1000) / 1000;

/** The samples-file line of a request (see reports/model/request-sample.ts for the meaning of each key). */
export function buildSample(record: RequestRecord): RequestSample {
  const { stream, usage, headers } = record;
  const sample: RequestSample = {
    id: record.id,
    sc: record.scenario,
    ph: record.phase,
    ep: record.endpoint,
    t0: round3(record.t0UnixMs),
    st: record.status,
    ok: record.error === undefined ? 1 : 0,
    e2e: round2(record.e2eMs),
    out: stream ? (stream.completionTokens ?? stream.contentEvents) : (usage?.completionTokens ?? 0),
  };
  if (record.error !== undefined) sample.err = record.error;
  if (stream && stream.ttftMs !== undefined) {
    sample.ttft = round2(stream.ttftMs);
    sample.itl = stream.itlMs.map(round2);
  }
  const promptTokens = stream ? stream.promptTokens : usage?.promptTokens;
  if (promptTokens !== undefined) sample.in = promptTokens;
  const queueMs = numberHeader(headers['x-gauntlet-queue-ms']);
  if (queueMs !== undefined) sample.q = queueMs;
  const batchSize = numberHeader(headers['x-gauntlet-batch-size']);
  if (batchSize !== undefined) sample.bs = batchSize;
  if (headers['x-gauntlet-worker-id']) sample.w = headers['x-gauntlet-worker-id'];
  if (headers['x-gauntlet-batcher-id']) sample.b = headers['x-gauntlet-batcher-id'];
  const attempts = numberHeader(headers['x-gauntlet-attempts']);
  if (attempts !== undefined) sample.a = attempts;
  return sample;
}

function numberHeader(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** TPOT per the field's definition: (e2e - TTFT) / (output_tokens - 1); undefined when output_tokens <= 1. */
export function tpotMs(sample: Pick<RequestSample, 'e2e' | 'ttft' | 'out'>): number | undefined {
  if (sample.ttft === undefined || sample.out <= 1) return undefined;
  return (sample.e2e - sample.ttft) / (sample.out - 1);
}

/** What goes into k6's metrics for one sample. Latencies count successful requests only (as in vLLM's and
 * genai-perf's reports): a fast 429 must not make p99 look better. Errors go to the error rate. */
export interface MetricValues {
  e2eMs: number | undefined;
  ttftMs: number | undefined;
  itlMs: readonly number[];
  tpotMs: number | undefined;
  outputTokens: number;
  error: ErrorKind | undefined;
}

export function metricValues(sample: RequestSample): MetricValues {
  const ok = sample.ok === 1;
  return {
    e2eMs: ok ? sample.e2e : undefined,
    ttftMs: ok ? sample.ttft : undefined,
    itlMs: ok ? (sample.itl ?? []) : [],
    tpotMs: ok ? tpotMs(sample) : undefined,
    outputTokens: sample.out,
    error: sample.err,
  };
}
