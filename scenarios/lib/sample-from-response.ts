import type { RequestSample } from '../../reports/model/request-sample.ts';
import { buildSample } from './build-sample.ts';
import { classifyOutcome, type TransportError } from './classify-outcome.ts';
import type { Endpoint } from './endpoint-mix.ts';
import { readPlainBody } from './plain-body.ts';
import type { SseEvent } from './stream-summary.ts';
import { summarizeStream } from './stream-summary.ts';

/** One response as the k6 seam hands it over, whichever k6 client fetched it. */
export interface RawResponse {
  status: number;
  transport: TransportError;
  /** Lower-case names. */
  headers: Readonly<Record<string, string>>;
  body: string;
  eventStream: boolean;
  events: readonly SseEvent[];
  t0UnixMs: number;
  e2eMs: number;
}

export interface SampleContext {
  id: string;
  scenario: string;
  phase: string;
  endpoint: Endpoint;
  streamed: boolean;
}

/** The sample of a response, or `canceled` when k6 cut the request because the run was ending. */
export function sampleFromResponse(
  context: SampleContext,
  raw: RawResponse,
): { canceled: true } | { canceled: false; sample: RequestSample } {
  const stream = raw.eventStream ? summarizeStream(raw.events) : undefined;
  const success = raw.status >= 200 && raw.status < 300;
  const plain =
    !context.streamed && success && raw.transport === ''
      ? readPlainBody(context.endpoint, raw.body)
      : undefined;
  const outcome = classifyOutcome({
    status: raw.status,
    transport: raw.transport,
    streamed: context.streamed,
    eventStream: raw.eventStream,
    stream,
    bodyValid: plain?.valid ?? false,
  });
  if (!outcome.ok && outcome.kind === 'canceled') return { canceled: true };
  const sample = buildSample({
    id: context.id,
    scenario: context.scenario,
    phase: context.phase,
    endpoint: context.endpoint,
    t0UnixMs: raw.t0UnixMs,
    e2eMs: raw.e2eMs,
    status: raw.status,
    error: outcome.ok ? undefined : outcome.kind,
    stream,
    usage: plain,
    headers: raw.headers,
  });
  return { canceled: false, sample };
}
