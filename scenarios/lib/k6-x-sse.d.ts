// Types for k6/x/sse, Gauntlet's own k6 extension (tools/xk6-gauntlet/sse). Ambient: k6 resolves the
// module inside its binary, tsc only needs to know its shape.

declare module 'k6/x/sse' {
  /** Why a request failed; '' when it did not (any HTTP status, 5xx included, is not a failure here). */
  export type SseErrorCode = '' | 'timeout' | 'connection' | 'canceled' | 'protocol';

  export interface SseParams {
    /** Request headers; a `host` entry sets the Host header. */
    headers?: Record<string, string>;
    /** Limit for the whole exchange, headers and body (default 60000). Must be > 0. */
    timeoutMs?: number;
  }

  /** One dispatched server-sent event (WHATWG event-stream rules). */
  export interface SseEvent {
    /** The data lines joined with '\n'. */
    data: string;
    /** The `event:` field, 'message' when the event had none. */
    event: string;
    /** The last `id:` seen in the stream so far ('' if none). */
    id: string;
    /** Monotonic ms since the request was sent until the bytes that completed this event were read. */
    atMs: number;
  }

  export interface SseResult {
    /** HTTP status, 0 when no response headers arrived. */
    status: number;
    /** Human-readable failure, '' if none. */
    error: string;
    errorCode: SseErrorCode;
    /** Response headers: lower-case names, first value of each. */
    headers: Record<string, string>;
    /** The whole body when the response is not text/event-stream; '' for event streams. */
    body: string;
    /** Events in arrival order; empty for non-stream responses. Kept (partial) when the stream failed. */
    events: SseEvent[];
    /** Monotonic ms from sending until the response headers were parsed (0 if they never arrived). */
    headersAtMs: number;
    /** Monotonic ms from sending until the body ended or the request failed. */
    durationMs: number;
    /** Wall-clock time (Unix ms, fractional) at which the request was sent. */
    startedAtUnixMs: number;
  }

  /**
   * Sends one HTTP/1.1 request over a keep-alive pool shared by all VUs and reads the whole response,
   * blocking the VU like http.request. Network failures come back in `error`/`errorCode`; wrong argument
   * types and unknown params fields throw a TypeError. Not allowed in the init context.
   */
  export function request(method: string, url: string, body: string | null, params?: SseParams): SseResult;

  const sse: { request: typeof request };
  export default sse;
}
