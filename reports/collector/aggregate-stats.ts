import { type Endpoint, emptyErrorCounts, type LatencyMetric, type ReportErrorKind } from '../model/kinds.js';
import { addClusterSums, type ClusterSums, emptyClusterSums } from '../stats/cluster-sums.js';
import { createLatencyHistogram, type LatencyHistogram } from '../stats/latency-histogram.js';

/**
 * What the collector keeps for one slice of the requests: counts, errors by kind, tokens and one HDR
 * histogram per latency metric (ms values, recorded as microseconds). A null scenario, phase or endpoint
 * means "all" (a merged slice).
 *
 * Latency histograms hold successful requests only (`ok: 1`): a request that failed fast would otherwise
 * make the latency look better the more requests fail. Failures are counted by kind instead.
 */
export interface AggregateStats {
  scenario: string | null;
  phase: string | null;
  endpoint: Endpoint | null;
  count: number;
  ok: number;
  errors: Record<ReportErrorKind, number>;
  /** Output tokens received, over all requests (partial streams included). */
  outputTokens: number;
  inputTokens: number;
  /** Earliest and latest t0, latest t0 + e2e (Unix ms) of the slice; NaN when empty. */
  firstStartMs: number;
  lastStartMs: number;
  lastEndMs: number;
  histograms: Record<LatencyMetric, LatencyHistogram>;
  /** The ITL gaps grouped by stream: gaps of one stream are correlated, which the ITL interval accounts for. */
  itlStreams: ClusterSums;
}

export function emptyAggregate(
  scenario: string | null,
  phase: string | null,
  endpoint: Endpoint | null,
): AggregateStats {
  return {
    scenario,
    phase,
    endpoint,
    count: 0,
    ok: 0,
    errors: emptyErrorCounts(),
    outputTokens: 0,
    inputTokens: 0,
    firstStartMs: Number.NaN,
    lastStartMs: Number.NaN,
    lastEndMs: Number.NaN,
    histograms: {
      e2e: createLatencyHistogram(),
      ttft: createLatencyHistogram(),
      itl: createLatencyHistogram(),
      tpot: createLatencyHistogram(),
    },
    itlStreams: emptyClusterSums(),
  };
}

/** Adds `from` into `into` (histograms merged exactly). */
export function addAggregate(into: AggregateStats, from: AggregateStats): void {
  into.count += from.count;
  into.ok += from.ok;
  for (const kind of Object.keys(into.errors) as ReportErrorKind[]) into.errors[kind] += from.errors[kind];
  into.outputTokens += from.outputTokens;
  into.inputTokens += from.inputTokens;
  into.firstStartMs = minDefined(into.firstStartMs, from.firstStartMs);
  into.lastStartMs = maxDefined(into.lastStartMs, from.lastStartMs);
  into.lastEndMs = maxDefined(into.lastEndMs, from.lastEndMs);
  for (const metric of Object.keys(into.histograms) as LatencyMetric[]) {
    const h = from.histograms[metric];
    if (h.totalCount > 0) into.histograms[metric].add(h);
  }
  addClusterSums(into.itlStreams, from.itlStreams);
}

export interface AggregateFilter {
  scenario?: string | undefined;
  phase?: string | undefined;
  endpoint?: Endpoint | undefined;
}

/** Merges the finest slices that match the filter into one new slice. */
export function mergeMatching(groups: readonly AggregateStats[], filter: AggregateFilter): AggregateStats {
  const out = emptyAggregate(filter.scenario ?? null, filter.phase ?? null, filter.endpoint ?? null);
  for (const g of groups) {
    if (filter.scenario !== undefined && g.scenario !== filter.scenario) continue;
    if (filter.phase !== undefined && g.phase !== filter.phase) continue;
    if (filter.endpoint !== undefined && g.endpoint !== filter.endpoint) continue;
    addAggregate(out, g);
  }
  return out;
}

/**
 * Seconds from the slice's first to its last request start: the duration its rates are per. Starts, not
 * ends: one request that hung for a 30 s timeout would otherwise stretch a 60 s run to 90 s.
 */
export function startSpanS(stats: AggregateStats): number {
  return stats.count > 0 ? Math.max(0, (stats.lastStartMs - stats.firstStartMs) / 1000) : 0;
}

/** min/max that ignore NaN (an empty slice's bounds). */
function minDefined(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return Math.min(a, b);
}

function maxDefined(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return Math.max(a, b);
}
