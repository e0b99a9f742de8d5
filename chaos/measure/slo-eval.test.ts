import { describe, expect, it } from 'vitest';
import type { Slo } from '../experiment/slo.js';
import type { MeasuredRequest } from './measured-request.js';
import { evaluateSlo, statOf } from './slo-eval.js';

const req = (e2e: number, ok = true, ttft?: number): MeasuredRequest => ({
  id: `r${e2e}`,
  t0: 0,
  e2e,
  ok,
  ...(ttft === undefined ? {} : { ttft }),
});
const p99: Slo = { id: 'p99', metric: 'e2e', stat: 'p99', op: '<', threshold: 500 };
const errors: Slo = { id: 'err', metric: 'error_rate', op: '<', threshold: 0.05 };

describe('evaluateSlo', () => {
  it('nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(statOf(values, 'p50')).toBe(50);
    expect(statOf(values, 'p99')).toBe(99);
    expect(statOf(values, 'p99.9')).toBe(100);
    expect(statOf([1, 2, 3], 'mean')).toBe(2);
  });

  it('latency over successful requests only, error rate over all', () => {
    const requests = [
      ...Array.from({ length: 95 }, () => req(100)),
      ...Array.from({ length: 5 }, () => req(9_000, false)),
    ];
    expect(evaluateSlo(p99, requests)).toMatchObject({ value: 100, n: 95, verdict: 'pass' });
    expect(evaluateSlo(errors, requests)).toMatchObject({ value: 0.05, n: 100, verdict: 'fail' });
  });

  it('an endpoint-scoped SLO looks at that endpoint only', () => {
    const scoped: Slo = { id: 's', metric: 'error_rate', endpoint: 'chat_stream', op: '<', threshold: 0.5 };
    const mixed = [
      { ...req(100, false), ep: 'chat_stream' },
      { ...req(100), ep: 'chat_stream' },
      { ...req(100, false), ep: 'infer' },
    ];
    expect(evaluateSlo(scoped, mixed, { minSamples: 1 })).toMatchObject({
      value: 0.5,
      n: 2,
      verdict: 'fail',
    });
  });

  it('ttft only where there is one; too few samples is inconclusive, not a pass', () => {
    const ttft: Slo = { id: 't', metric: 'ttft', stat: 'p50', op: '<=', threshold: 50 };
    expect(evaluateSlo(ttft, [req(100, true, 40), req(100)], { minSamples: 1 })).toMatchObject({
      value: 40,
      n: 1,
      verdict: 'pass',
    });
    expect(evaluateSlo(p99, [req(100)])).toMatchObject({ value: 100, n: 1, verdict: 'inconclusive' });
    expect(evaluateSlo(p99, [])).toMatchObject({ value: null, verdict: 'inconclusive' });
  });
});
