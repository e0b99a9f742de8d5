import type { MeasuredRequest } from '../measure/measured-request.js';

export interface PlantedPhase {
  /** [fromMs, toMs) of send times, relative to the origin. */
  fromMs: number;
  toMs: number;
  e2eMs?: number;
  /** Error kind for every request of the phase, or for every `every`-th one. */
  err?: string;
  every?: number;
  st?: number;
}

/**
 * Requests at a fixed rate with planted outcomes, for measurement tests: healthy (200 ms, ok) unless a
 * phase says otherwise. Ids are `r<index>`.
 */
export function plantedRequests(options: {
  originMs: number;
  ratePerS: number;
  durationMs: number;
  phases?: PlantedPhase[];
}): MeasuredRequest[] {
  const out: MeasuredRequest[] = [];
  const intervalMs = 1000 / options.ratePerS;
  const count = Math.floor(options.durationMs / intervalMs);
  for (let i = 0; i < count; i++) {
    const rel = i * intervalMs;
    const phase = options.phases?.find((p) => rel >= p.fromMs && rel < p.toMs);
    const failing = phase?.err !== undefined && (phase.every === undefined || i % phase.every === 0);
    const request: MeasuredRequest = {
      id: `r${i}`,
      t0: options.originMs + rel,
      e2e: phase?.e2eMs ?? 200,
      ok: !failing,
      st: failing ? (phase?.st ?? 502) : 200,
      w: `w${i % 4}`,
    };
    if (failing && phase?.err) request.err = phase.err;
    out.push(request);
  }
  return out;
}
