import type { RequestSample } from '../../reports/model/request-sample.js';

/**
 * The minimum chaos measurement needs of one request. A RequestSample (the load generator's NDJSON line)
 * converts with fromSample; tests and other sources can build these directly.
 */
export interface MeasuredRequest {
  id: string;
  /** Send time, Unix ms. */
  t0: number;
  /** Send to last byte, ms. */
  e2e: number;
  ok: boolean;
  /** Error kind when not ok (see reports' ErrorKind: timeout, connection, stream_cut, ...). */
  err?: string;
  /** Worker that served it, when known. */
  w?: string;
  /** HTTP status; 0 when no response arrived. */
  st?: number;
  /** Endpoint kind (infer, chat, chat_stream, completions), for SLOs limited to one. */
  ep?: string;
  ttft?: number;
  /** Output tokens received (TPOT needs them; 1 when unknown). */
  out?: number;
}

export function fromSample(sample: RequestSample): MeasuredRequest {
  const out: MeasuredRequest = {
    id: sample.id,
    t0: sample.t0,
    e2e: sample.e2e,
    ok: sample.ok === 1,
    st: sample.st,
    ep: sample.ep,
  };
  if (sample.err !== undefined) out.err = sample.err;
  if (sample.w !== undefined) out.w = sample.w;
  if (sample.ttft !== undefined) out.ttft = sample.ttft;
  if (typeof sample.out === 'number') out.out = sample.out;
  return out;
}

export function endOf(request: MeasuredRequest): number {
  return request.t0 + request.e2e;
}

/** A copy sorted by send time, which the window functions expect. */
export function sortByStart(requests: readonly MeasuredRequest[]): MeasuredRequest[] {
  return [...requests].sort((a, b) => a.t0 - b.t0);
}

/** Requests (sorted by t0) sent in [fromMs, toMs), by binary search. */
export function sentIn(
  sorted: readonly MeasuredRequest[],
  fromMs: number,
  toMs: number,
): readonly MeasuredRequest[] {
  return sorted.slice(lowerBound(sorted, fromMs), lowerBound(sorted, toMs));
}

function lowerBound(sorted: readonly MeasuredRequest[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as MeasuredRequest).t0 < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
