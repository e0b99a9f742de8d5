import http from 'k6/http';
import { monotonicMs, nowUnixMs } from 'k6/x/gauntlet';
import { request as sseRequest } from 'k6/x/sse';
import { k6HttpTransport } from '../classify-outcome.ts';
import type { RequestSpec } from '../request-body.ts';
import type { RawResponse } from '../sample-from-response.ts';

export interface SendOptions {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Streams go through k6/x/sse (arrival time per event); the rest through k6/http (k6's http_req_* too). */
export function sendRequest(spec: RequestSpec, options: SendOptions): RawResponse {
  return spec.streamed ? sendStreamed(spec, options) : sendPlain(spec, options);
}

function sendStreamed(spec: RequestSpec, options: SendOptions): RawResponse {
  const before = nowUnixMs();
  const res = sseRequest('POST', options.url, spec.body, {
    headers: options.headers,
    timeoutMs: options.timeoutMs,
  });
  const contentType = res.headers['content-type'] ?? '';
  return {
    status: res.status,
    transport: res.errorCode,
    headers: res.headers,
    body: res.body,
    eventStream: /^text\/event-stream\b/i.test(contentType),
    events: res.events,
    // startedAtUnixMs is 0 when the request could not even be built.
    t0UnixMs: res.startedAtUnixMs > 0 ? res.startedAtUnixMs : before,
    e2eMs: res.durationMs,
  };
}

function sendPlain(spec: RequestSpec, options: SendOptions): RawResponse {
  const t0UnixMs = nowUnixMs();
  const start = monotonicMs();
  const res = http.request('POST', options.url, spec.body, {
    headers: options.headers,
    timeout: options.timeoutMs,
    responseType: 'text',
    tags: { ep: spec.endpoint, name: spec.path },
  });
  // Wall time around the call (monotonic): send to last byte, connection set-up included, as a client sees it.
  const e2eMs = monotonicMs() - start;
  const headers: Record<string, string> = {};
  for (const name of Object.keys(res.headers)) headers[name.toLowerCase()] = res.headers[name] ?? '';
  return {
    status: res.status,
    transport: k6HttpTransport(res.error_code, res.error),
    headers,
    body: typeof res.body === 'string' ? res.body : '',
    eventStream: false,
    events: [],
    t0UnixMs,
    e2eMs,
  };
}
