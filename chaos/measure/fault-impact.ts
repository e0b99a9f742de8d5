import { endOf, type MeasuredRequest } from './measured-request.js';

export interface FaultImpact {
  /** Requests that overlapped the window: sent before it ended, ended after it began. */
  requests: number;
  failed: number;
  failedByKind: Record<string, number>;
  streamsCut: number;
  /** Ids sent but never answered: every sample of the id is a timeout without a response. */
  lost: number;
  /** Ids answered more than once. */
  duplicated: number;
  /** Up to 20 of each, for the report. */
  lostIds: string[];
  duplicatedIds: string[];
}

const shownIds = 20;

/** Every sample of each id, for lost/duplicate checks over the whole run. */
export function indexById(requests: readonly MeasuredRequest[]): Map<string, MeasuredRequest[]> {
  const index = new Map<string, MeasuredRequest[]>();
  for (const r of requests) {
    const list = index.get(r.id);
    if (list) list.push(r);
    else index.set(r.id, [r]);
  }
  return index;
}

export function isUnanswered(r: MeasuredRequest): boolean {
  return !r.ok && r.err === 'timeout' && (r.st ?? 0) === 0;
}

function isAnswered(r: MeasuredRequest): boolean {
  return r.ok || (r.st ?? 0) > 0;
}

/**
 * What a fault cost, over the requests that overlapped [fromMs, toMs): sent before toMs and ended at or after
 * fromMs. One sent before the injection and cut by it counts, and so does one sent while the fault was in
 * force that timed out long after it (a hang the fault caused ends after the fault).
 */
export function faultImpact(
  requests: readonly MeasuredRequest[],
  fromMs: number,
  toMs: number,
  byId: Map<string, MeasuredRequest[]> = indexById(requests),
): FaultImpact {
  const lost = new Set<string>();
  const duplicated = new Set<string>();
  const overlapping: MeasuredRequest[] = [];
  for (const r of requests) {
    if (r.t0 >= toMs || endOf(r) < fromMs) continue;
    overlapping.push(r);
    const all = byId.get(r.id) ?? [r];
    if (all.every(isUnanswered)) lost.add(r.id);
    if (all.filter(isAnswered).length > 1) duplicated.add(r.id);
  }
  const { requests: count, failed, failedByKind } = failuresOf(overlapping);
  return {
    requests: count,
    failed,
    failedByKind,
    streamsCut: failedByKind.stream_cut ?? 0,
    lost: lost.size,
    duplicated: duplicated.size,
    lostIds: [...lost].slice(0, shownIds),
    duplicatedIds: [...duplicated].slice(0, shownIds),
  };
}

/** How many of these requests failed, by error kind (`unknown` when a failure has none). */
export function failuresOf(requests: readonly MeasuredRequest[]): {
  requests: number;
  failed: number;
  failedByKind: Record<string, number>;
} {
  const failedByKind: Record<string, number> = {};
  let failed = 0;
  for (const r of requests) {
    if (r.ok) continue;
    failed++;
    const kind = r.err ?? 'unknown';
    failedByKind[kind] = (failedByKind[kind] ?? 0) + 1;
  }
  return { requests: requests.length, failed, failedByKind };
}

/** Ids the load generator reports as sent that have no sample at all (the generator lost track of them). */
export function unsampledIds(sentIds: Iterable<string>, byId: ReadonlyMap<string, unknown>): string[] {
  const out: string[] = [];
  for (const id of sentIds) if (!byId.has(id)) out.push(id);
  return out;
}
