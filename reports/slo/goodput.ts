import { type RequestFilter, requestMatcher } from '../collector/aggregate-requests.js';
import type { RequestTable } from '../collector/request-table.js';
import { ENDPOINTS, type Endpoint } from '../model/kinds.js';
import type { Slo } from './slo-schema.js';

/** A per-request latency bound: a request is good only if its value meets it. */
export interface GoodputCriterion {
  metric: 'e2e' | 'ttft' | 'tpot';
  /** Applies to this endpoint only; to all when undefined. */
  endpoint: Endpoint | undefined;
  op: '<' | '<=';
  thresholdMs: number;
}

/**
 * The per-request bounds that goodput counts against, taken from the latency SLOs (vLLM's and
 * genai-perf's definition: a request is good when it meets every latency SLO at once). Only upper bounds on
 * e2e, TTFT and TPOT qualify: ITL gaps are not kept per request, and a lower bound on a latency is not a
 * service level. Scopes are ignored here: a bound holds for a request wherever it ran.
 */
export function goodputCriteria(slos: readonly Slo[]): GoodputCriterion[] {
  const out: GoodputCriterion[] = [];
  for (const slo of slos) {
    if (slo.metric !== 'e2e' && slo.metric !== 'ttft' && slo.metric !== 'tpot') continue;
    if (slo.op !== '<' && slo.op !== '<=') continue;
    out.push({ metric: slo.metric, endpoint: slo.endpoint, op: slo.op, thresholdMs: slo.threshold });
  }
  return out;
}

/**
 * Counts the requests matching the filter (n) and those that succeeded and meet every criterion that
 * applies to their endpoint (good). TTFT and TPOT criteria apply to streamed requests only.
 */
export function countGoodRequests(
  table: RequestTable,
  criteria: readonly GoodputCriterion[],
  filter: RequestFilter = {},
): { n: number; good: number } {
  const matches = requestMatcher(table, filter);
  const byEndpoint = ENDPOINTS.map((ep) =>
    criteria.filter((c) => c.endpoint === undefined || c.endpoint === ep),
  );
  const e2e = table.e2eMs;
  const ttft = table.ttftMs;
  const ok = table.ok;
  const eps = table.endpointIndex;
  const outTokens = table.outputTokens;
  let n = 0;
  let good = 0;
  for (let i = 0; i < table.length; i++) {
    if (!matches(i)) continue;
    n++;
    if (ok[i] !== 1) continue;
    const latency = e2e[i] ?? 0;
    const first = ttft[i] ?? Number.NaN;
    const tokens = outTokens[i] ?? 0;
    let meets = true;
    for (const c of byEndpoint[eps[i] ?? 0] ?? []) {
      let value: number;
      if (c.metric === 'e2e') value = latency;
      else if (Number.isNaN(first)) continue;
      else if (c.metric === 'ttft') value = first;
      else value = tokens <= 1 ? 0 : (latency - first) / (tokens - 1);
      if (c.op === '<' ? !(value < c.thresholdMs) : !(value <= c.thresholdMs)) {
        meets = false;
        break;
      }
    }
    if (meets) good++;
  }
  return { n, good };
}
