import type { MeasuredRequest } from './measured-request.js';

/** `<prefix>-<phase>-<iteration>-v<vu>`: the ids the k6 scenarios send (scenarios/lib/plan-request.ts). */
const ID = /^(.*)-(\d+)-v\d+$/;

/**
 * Requests the load generator started but never recorded: k6 numbers each phase's iterations from 0 as they
 * start, so a number missing below the highest one recorded is an iteration cut off without a sample (the
 * harness stopped it, or it crashed). Each comes back as a lost request (no response, a timeout) sent
 * between its recorded neighbours and ending at `endMs`, so it is attributed to every fault it overlapped.
 * Ids are `<prefix>-<phase>-<iteration>-cancelled` (the VU is unknown).
 */
export function cancelledIterations(requests: readonly MeasuredRequest[], endMs: number): MeasuredRequest[] {
  const byPhase = new Map<string, Map<number, number>>();
  for (const r of requests) {
    const match = ID.exec(r.id);
    if (!match) continue;
    const [, phase = '', iteration = ''] = match;
    const started = byPhase.get(phase) ?? new Map<number, number>();
    byPhase.set(phase, started);
    const n = Number(iteration);
    started.set(n, Math.min(started.get(n) ?? Number.POSITIVE_INFINITY, r.t0));
  }
  const out: MeasuredRequest[] = [];
  for (const [phase, started] of byPhase) {
    const max = Math.max(...started.keys());
    let before = Number.NEGATIVE_INFINITY;
    for (let i = 0; i <= max && out.length < 100_000; i++) {
      const t0 = started.get(i);
      if (t0 !== undefined) {
        before = t0;
        continue;
      }
      const next = nextStart(started, i, max);
      const sentAt = Number.isFinite(before) ? before : next;
      out.push({
        id: `${phase}-${i}-cancelled`,
        t0: sentAt,
        e2e: Math.max(0, endMs - sentAt),
        ok: false,
        err: 'timeout',
        st: 0,
      });
    }
  }
  return out;
}

function nextStart(started: ReadonlyMap<number, number>, from: number, max: number): number {
  for (let i = from + 1; i <= max; i++) {
    const t0 = started.get(i);
    if (t0 !== undefined) return t0;
  }
  return Number.NaN;
}
