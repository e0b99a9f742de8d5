import { describe, expect, it } from 'vitest';
import type { Slo } from '../../reports/slo/slo-schema.js';
import { sizePhase } from './plan-sizing.js';

const inferP99: Slo = {
  id: 'infer-p99',
  metric: 'e2e',
  endpoint: 'infer',
  stat: 'p99',
  op: '<',
  threshold: 300,
};
const steadyOnly: Slo = { ...inferP99, id: 'steady-p99', scope: { phase: 'steady' } };
const errors: Slo = { id: 'errors', metric: 'error_rate', op: '<', threshold: 0.001 };

describe('sizePhase', () => {
  it('lengthens the main phase until a p99 of the endpoint has its samples, counting warm-up when in scope', () => {
    const env = { RATE: '10', DURATION: '30s', WARMUP: '10s' };
    const half = { infer: 1, chat_stream: 1 };
    // 563 samples at share 1/2 with a two-sigma margin: 1,196 requests; 100 come from the warm-up.
    expect(sizePhase('load', env, 'steady', [inferP99], half)).toEqual({
      durationS: 110,
      drivenBy: { id: 'infer-p99', requests: 1196 },
    });
    expect(sizePhase('load', env, 'steady', [steadyOnly], half).durationS).toBe(120);
    // A mix without infer: the SLO is not applicable and asks for nothing.
    expect(sizePhase('load', env, 'steady', [inferP99], { chat_stream: 1 })).toEqual({ durationS: 30 });
    // Long enough already: kept.
    expect(sizePhase('load', { ...env, DURATION: '300s' }, 'steady', [inferP99], half)).toEqual({
      durationS: 300,
    });
  });

  it('sizes an error-rate bound by the requests 0 errors need', () => {
    const sizing = sizePhase('load', { RATE: '20', DURATION: '10s', WARMUP: '0s' }, 'steady', [errors], {
      infer: 1,
    });
    expect(sizing).toEqual({ durationS: 192, drivenBy: { id: 'errors', requests: 3838 } });
  });

  it("sizes a scoped phase of another scenario's shape (spike recovery)", () => {
    const recovery: Slo = { ...inferP99, scope: { scenario: 'spike', phase: 'recovery' } };
    const env = { RATE: '5', DURATION: '20s', WARMUP: '5s', SPIKE_DURATION: '10s', RECOVERY: '60s' };
    expect(sizePhase('spike', env, 'recovery', [recovery], { infer: 1 }).durationS).toBe(113);
    expect(sizePhase('spike', env, 'steady', [recovery], { infer: 1 })).toEqual({ durationS: 20 });
  });
});
