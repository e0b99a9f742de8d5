import { describe, expect, it } from 'vitest';
import type { Slo } from '../experiment/slo.js';
import { plantedRequests } from '../testing/planted-requests.js';
import { recoveredAfterMs } from './recovery.js';

const origin = 1_700_000_000_000;
const slos: Slo[] = [
  { id: 'p99', metric: 'e2e', stat: 'p99', op: '<', threshold: 1_000 },
  { id: 'err', metric: 'error_rate', op: '<', threshold: 0.01 },
];
const injectedAt = origin + 20_000;

describe('recoveredAfterMs', () => {
  it('is the start of the first clean 10 s window after injection (errors for 5 s -> 5 s)', () => {
    const requests = plantedRequests({
      originMs: origin,
      ratePerS: 20,
      durationMs: 60_000,
      phases: [{ fromMs: 20_000, toMs: 25_000, err: 'server_error', every: 4 }],
    });
    expect(recoveredAfterMs(requests, injectedAt, slos, { endMs: origin + 60_000 })).toBe(5_000);
  });

  it('counts latency too (3 s requests for 8 s -> 8 s)', () => {
    const requests = plantedRequests({
      originMs: origin,
      ratePerS: 20,
      durationMs: 60_000,
      phases: [{ fromMs: 20_000, toMs: 28_000, e2eMs: 3_000 }],
    });
    expect(recoveredAfterMs(requests, injectedAt, slos, { endMs: origin + 60_000 })).toBe(8_000);
  });

  it('is 0 when the fault never broke the SLOs, and null when no clean window fits before the end', () => {
    const healthy = plantedRequests({ originMs: origin, ratePerS: 20, durationMs: 60_000 });
    expect(recoveredAfterMs(healthy, injectedAt, slos, { endMs: origin + 60_000 })).toBe(0);
    const broken = plantedRequests({
      originMs: origin,
      ratePerS: 20,
      durationMs: 60_000,
      phases: [{ fromMs: 20_000, toMs: 55_000, err: 'timeout' }],
    });
    expect(recoveredAfterMs(broken, injectedAt, slos, { endMs: origin + 60_000 })).toBeNull();
  });

  it('does not call a window with too few requests recovered', () => {
    const sparse = plantedRequests({ originMs: origin, ratePerS: 1, durationMs: 60_000 });
    expect(recoveredAfterMs(sparse, injectedAt, slos, { endMs: origin + 60_000, minSamples: 20 })).toBeNull();
    expect(recoveredAfterMs(sparse, injectedAt, slos, { endMs: origin + 60_000, minSamples: 5 })).toBe(0);
  });
});
