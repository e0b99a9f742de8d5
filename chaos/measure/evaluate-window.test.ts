import { describe, expect, it } from 'vitest';
import type { Slo } from '../experiment/slo.js';
import { plantedRequests } from '../testing/planted-requests.js';
import { evaluateWindow } from './evaluate-window.js';

const origin = 1_700_000_000_000;
const p99: Slo = { id: 'p99', metric: 'e2e', stat: 'p99', op: '<', threshold: 300 };
const ttft: Slo = {
  id: 'ttft',
  metric: 'ttft',
  endpoint: 'chat_stream',
  stat: 'p99',
  op: '<',
  threshold: 300,
};
// 100 req/s for 10 s, every request 400 ms: p99 e2e over 300 ms with 1,000 samples.
const slow = plantedRequests({
  originMs: origin,
  ratePerS: 100,
  durationMs: 10_000,
  phases: [{ fromMs: 0, toMs: 10_000, e2eMs: 400 }],
});

describe('evaluateWindow (the reports evaluator over a chaos window)', () => {
  it('fails a violated p99 with its interval and sample count', () => {
    const [v] = evaluateWindow(slow, origin, origin + 10_000, [p99]).slos;
    expect(v).toMatchObject({ verdict: 'fail', samples: 1_000 });
    // HDR histogram values: 3 significant digits.
    expect(v?.observed).toBeCloseTo(400, -1);
    expect(v?.ci?.[0]).toBeGreaterThan(300);
  });

  it('turns that fail into inconclusive when the host was starved during the window', () => {
    const overload = {
      service: 'batcher-0',
      fromS: origin / 1000 + 2,
      toS: origin / 1000 + 4,
      maxDelayMs: 900,
    };
    const [v] = evaluateWindow(slow, origin, origin + 10_000, [p99], { hostOverloads: [overload] }).slos;
    expect(v?.verdict).toBe('inconclusive');
    expect(v?.reason).toMatch(/host was overloaded: event-loop delay of batcher-0/);
    // An overload outside the window changes nothing.
    const earlier = { ...overload, fromS: origin / 1000 - 60, toS: origin / 1000 - 50 };
    expect(
      evaluateWindow(slow, origin, origin + 10_000, [p99], { hostOverloads: [earlier] }).slos[0]?.verdict,
    ).toBe('fail');
  });

  it('a fail far beyond the peak delay is still inconclusive when the host was starved for longer', () => {
    // 4 s requests; the host starved for 8 s of the window with 500 ms peaks: queueing behind a stalled
    // service can add the whole starved time, so 4 s > 300 ms + 500 ms proves nothing about the stack.
    const hung = plantedRequests({
      originMs: origin,
      ratePerS: 100,
      durationMs: 10_000,
      phases: [{ fromMs: 0, toMs: 10_000, e2eMs: 4_000 }],
    });
    const s = origin / 1000;
    const long = { service: 'gateway-0', fromS: s + 1, toS: s + 9, maxDelayMs: 500 };
    const [v] = evaluateWindow(hung, origin, origin + 10_000, [p99], { hostOverloads: [long] }).slos;
    expect(v?.verdict).toBe('inconclusive');
    expect(v?.reason).toMatch(/starved for 8.0 s/);
    // A short blip does not excuse it.
    const blip = { service: 'gateway-0', fromS: s + 1, toS: s + 1.2, maxDelayMs: 150 };
    expect(
      evaluateWindow(hung, origin, origin + 10_000, [p99], { hostOverloads: [blip] }).slos[0]?.verdict,
    ).toBe('fail');
  });

  it('says what would decide a thin window, and marks an SLO on an endpoint the load never sends', () => {
    const thin = slow.slice(0, 100);
    const evaluation = evaluateWindow(thin, origin, origin + 1_000, [p99, ttft], { endpoints: ['infer'] });
    expect(evaluation.slos[0]).toMatchObject({ verdict: 'fail' });
    const healthy = plantedRequests({ originMs: origin, ratePerS: 100, durationMs: 1_000 });
    const [few, na] = evaluateWindow(healthy, origin, origin + 1_000, [p99, ttft], {
      endpoints: ['infer'],
    }).slos;
    expect(few).toMatchObject({ verdict: 'inconclusive', samples: 100, needed: { samples: 563 } });
    expect(na?.verdict).toBe('not_applicable');
  });
});
