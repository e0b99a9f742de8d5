import { ENDPOINTS, ERROR_KINDS } from '../model/kinds.js';
import { type AggregateFilter, type AggregateStats, emptyAggregate } from './aggregate-stats.js';
import type { RequestTable } from './request-table.js';

export interface RequestFilter extends AggregateFilter {
  /** Requests that started (t0) in [fromMs, toMs), Unix ms. */
  fromMs?: number | undefined;
  toMs?: number | undefined;
}

/** Whether request i of the table matches the filter. */
export function requestMatcher(table: RequestTable, filter: RequestFilter): (i: number) => boolean {
  const groupOk = table.groups.map(
    (g) =>
      (filter.scenario === undefined || g.scenario === filter.scenario) &&
      (filter.phase === undefined || g.phase === filter.phase),
  );
  const ep = filter.endpoint === undefined ? -1 : ENDPOINTS.indexOf(filter.endpoint);
  const from = filter.fromMs ?? Number.NEGATIVE_INFINITY;
  const to = filter.toMs ?? Number.POSITIVE_INFINITY;
  const t0 = table.t0;
  const eps = table.endpointIndex;
  const groups = table.groupIndex;
  return (i) => {
    if (ep >= 0 && eps[i] !== ep) return false;
    if (!groupOk[groups[i] ?? 0]) return false;
    const t = t0[i] ?? 0;
    return t >= from && t < to;
  };
}

/**
 * An aggregate rebuilt from the per-request table, for slices the collector has no histograms for (a time
 * window). The table keeps e2e, TTFT and output tokens per request, so e2e, TTFT and TPOT histograms are
 * exact; ITL gaps are not kept per request, so its histogram stays empty.
 */
export function aggregateRequests(table: RequestTable, filter: RequestFilter): AggregateStats {
  const out = emptyAggregate(filter.scenario ?? null, filter.phase ?? null, filter.endpoint ?? null);
  const matches = requestMatcher(table, filter);
  const t0 = table.t0;
  const e2e = table.e2eMs;
  const ttft = table.ttftMs;
  const ok = table.ok;
  const err = table.errorIndex;
  const outTokens = table.outputTokens;
  const h = out.histograms;
  for (let i = 0; i < table.length; i++) {
    if (!matches(i)) continue;
    out.count++;
    const start = t0[i] ?? 0;
    const latency = e2e[i] ?? 0;
    const tokens = outTokens[i] ?? 0;
    out.outputTokens += tokens;
    if (!(out.firstStartMs <= start)) out.firstStartMs = start;
    if (!(out.lastStartMs >= start)) out.lastStartMs = start;
    if (!(out.lastEndMs >= start + latency)) out.lastEndMs = start + latency;
    if (ok[i] !== 1) {
      const kind = ERROR_KINDS[(err[i] ?? 7) - 1] ?? 'unknown';
      out.errors[kind]++;
      continue;
    }
    out.ok++;
    h.e2e.recordValue(Math.round(latency * 1000));
    const ft = ttft[i] ?? Number.NaN;
    if (!Number.isNaN(ft)) {
      h.ttft.recordValue(Math.round(ft * 1000));
      // Only outputs longer than one token have a time per output token.
      const tpot = tokens <= 1 ? -1 : (latency - ft) / (tokens - 1);
      if (tpot >= 0) h.tpot.recordValue(Math.round(tpot * 1000));
    }
  }
  return out;
}
