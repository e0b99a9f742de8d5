import { describe, expect, it } from 'vitest';
import type { Slo } from '../experiment/slo.js';
import { plantedRequests } from '../testing/planted-requests.js';
import { describeRecovery, recoveryOf } from './recovery.js';

const origin = 1_700_000_000_000;
const slos: Slo[] = [
  { id: 'p99', metric: 'e2e', stat: 'p99', op: '<', threshold: 1_000 },
  { id: 'err', metric: 'error_rate', op: '<', threshold: 0.01 },
];
const injectedAt = origin + 20_000;
// 100 req/s and 10 s windows: 1,000 samples a window, enough for a p99 interval (563) and to show < 1 %.
const windowMs = 10_000;
const at = (phases: Parameters<typeof plantedRequests>[0]['phases'], ratePerS = 100) =>
  plantedRequests({ originMs: origin, ratePerS, durationMs: 60_000, phases });
const options = (over: Partial<Parameters<typeof recoveryOf>[3]> = {}) => ({
  windowMs,
  endMs: origin + 60_000,
  eligibleFromMs: injectedAt,
  faultEndMs: injectedAt + 5_000,
  ...over,
});

describe('recoveryOf', () => {
  it('is the start of the first passing window, with its resolution (errors for 5 s -> 5 s)', () => {
    const requests = at([{ fromMs: 20_000, toMs: 25_000, err: 'server_error', every: 4 }]);
    const r = recoveryOf(requests, injectedAt, slos, options());
    expect(r).toMatchObject({ status: 'recovered', afterMs: 5_000, resolutionMs: 1_000, windowMs });
    expect(r.window?.slos.every((s) => s.verdict === 'pass' && s.ci !== null)).toBe(true);
    expect(describeRecovery(r)).toBe('5 s (resolution 1 s)');
  });

  it('counts latency too (3 s requests for 8 s -> 8 s), at a finer step when asked', () => {
    const requests = at([{ fromMs: 20_000, toMs: 28_000, e2eMs: 3_000 }]);
    expect(recoveryOf(requests, injectedAt, slos, options({ stepMs: 500 }))).toMatchObject({
      status: 'recovered',
      afterMs: 8_000,
      resolutionMs: 500,
    });
  });

  it('says "held" (no recovery time) when the SLOs held through the whole fault', () => {
    const r = recoveryOf(at([]), injectedAt, slos, options({ faultEndMs: injectedAt + 20_000 }));
    expect(r).toMatchObject({ status: 'held', afterMs: null });
    expect(r.window).toMatchObject({ fromMs: injectedAt, toMs: injectedAt + 20_000 });
  });

  it('is not declared while the fault is in force and not routed around', () => {
    // Broken for 3 s only, but the fault lasts 20 s and nothing took it out of routing.
    const requests = at([{ fromMs: 20_000, toMs: 23_000, e2eMs: 3_000 }]);
    const r = recoveryOf(
      requests,
      injectedAt,
      slos,
      options({ eligibleFromMs: injectedAt + 20_000, faultEndMs: injectedAt + 20_000 }),
    );
    expect(r).toMatchObject({ status: 'recovered', afterMs: 20_000 });
  });

  it('not_recovered when every window fails; undecided when windows are too thin to pass', () => {
    const broken = at([{ fromMs: 20_000, toMs: 55_000, err: 'timeout' }]);
    expect(recoveryOf(broken, injectedAt, slos, options()).status).toBe('not_recovered');
    // 1 req/s: 10 samples a window can never show a p99 < 1 s.
    const sparse = recoveryOf(at([], 1), injectedAt, slos, options());
    expect(sparse).toMatchObject({ status: 'undecided', afterMs: null });
    expect(sparse.window?.slos[0]?.reason).toMatch(/too few samples/);
  });
});
