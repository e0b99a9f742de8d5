import { describe, expect, it } from 'vitest';
import { plantedRequests } from '../testing/planted-requests.js';
import { checkAbort } from './abort-rule.js';

const rule = { when: 'error_rate_above' as const, threshold: 0.5, forS: 5 };

describe('checkAbort', () => {
  const requests = plantedRequests({
    originMs: 0,
    ratePerS: 10,
    durationMs: 30_000,
    phases: [{ fromMs: 10_000, toMs: 30_000, err: 'connection' }],
  });

  it('trips when the error rate of the last forS seconds is above the threshold', () => {
    const check = checkAbort(rule, requests, 20_000);
    expect(check).toMatchObject({ triggered: true, errorRate: 1, requests: 50 });
    expect(check.message).toBe('error rate 100 % over the last 5 s (50 of 50) > 50 %');
  });

  it('holds while the window is healthy or mixed below the threshold', () => {
    expect(checkAbort(rule, requests, 9_000).triggered).toBe(false);
    expect(checkAbort(rule, requests, 12_700)).toMatchObject({ triggered: false, requests: 50 });
  });

  it('needs a minimum of requests', () => {
    expect(checkAbort(rule, requests.slice(150, 155), 20_000, 10)).toMatchObject({
      triggered: false,
      requests: 5,
    });
  });
});
