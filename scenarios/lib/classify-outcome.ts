import type { ErrorKind } from '../../reports/model/request-sample.ts';
import type { StreamSummary } from './stream-summary.ts';

/**
 * How the transport ended, in k6/x/sse's terms (k6/http's error codes are mapped onto these): '' when a
 * complete response was read, whatever its status.
 */
export type TransportError = '' | 'timeout' | 'connection' | 'canceled' | 'protocol';

export interface ResponseFacts {
  /** HTTP status; 0 when no response arrived. */
  status: number;
  transport: TransportError;
  /** The request asked for a stream. */
  streamed: boolean;
  /** The response was a text/event-stream (its events are in `stream`). */
  eventStream: boolean;
  stream: StreamSummary | undefined;
  /** Non-streamed 2xx only: the body parsed as the JSON the API promises. */
  bodyValid: boolean;
}

/**
 * ok, a failure of one ErrorKind, or `canceled`: k6 interrupted the request because the test was ending,
 * which says nothing about the server (such requests are counted, not recorded as samples).
 */
export type Outcome = { ok: true } | { ok: false; kind: ErrorKind } | { ok: false; kind: 'canceled' };

export function statusKind(status: number): ErrorKind {
  if (status === 429) return 'rate_limited';
  if (status >= 400 && status < 500) return 'client_error';
  return 'server_error';
}

export function classifyOutcome(facts: ResponseFacts): Outcome {
  const { status, transport } = facts;
  // The client's own deadline is a timeout wherever it struck, also in the middle of a stream.
  if (transport === 'timeout') return { ok: false, kind: 'timeout' };
  if (transport === 'canceled') return { ok: false, kind: 'canceled' };
  if (status === 0) {
    // No response at all: garbage instead of HTTP is the server's fault, anything else the connection's.
    return { ok: false, kind: transport === 'protocol' ? 'server_error' : 'connection' };
  }
  if (status < 200 || status >= 300) return { ok: false, kind: statusKind(status) };
  if (!facts.streamed) {
    if (transport !== '')
      return { ok: false, kind: transport === 'protocol' ? 'server_error' : 'connection' };
    return facts.bodyValid ? { ok: true } : { ok: false, kind: 'server_error' };
  }
  // A 2xx answer to a stream request that is not a stream: the server ignored `stream: true`.
  if (!facts.eventStream) {
    return { ok: false, kind: transport === 'connection' ? 'connection' : 'server_error' };
  }
  const stream = facts.stream;
  // The stream started: whatever ends it early (a broken connection, an error event, a missing end) cut it.
  if (!stream || transport !== '' || stream.sawError || !stream.sawDone || !stream.sawFinish) {
    return { ok: false, kind: 'stream_cut' };
  }
  if (stream.malformed > 0) return { ok: false, kind: 'server_error' };
  return { ok: true };
}

/**
 * k6/http's error codes (lib/netext/httpext/error_codes.go) in k6/x/sse's terms. 1400-1599 only mirror the
 * HTTP status, which the classifier reads itself.
 */
export function k6HttpTransport(errorCode: number, error: string): TransportError {
  if (errorCode === 0 || (errorCode >= 1400 && errorCode < 1600)) return '';
  if (error.includes('context canceled')) return 'canceled';
  if (errorCode === 1050 || errorCode === 1211) return 'timeout';
  if (errorCode === 1301 || errorCode === 1701) return 'protocol';
  return 'connection';
}
