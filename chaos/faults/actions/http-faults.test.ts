import { describe, expect, it } from 'vitest';
import { httpFault } from './http-faults.js';

describe('http-fault params', () => {
  it('fills the defaults: the service port, 503, probes and metrics left alone', () => {
    expect(httpFault.params.parse({ delayMs: 100 })).toEqual({
      delayMs: 100,
      variationMs: 0,
      errorRate: 0,
      errorCode: 503,
      port: 8080,
      exclude: ['/healthz', '/readyz', '/metrics', '/v1/status'],
    });
    expect(httpFault.describe(httpFault.params.parse({ delayMs: 200, errorRate: 0.2 }))).toBe(
      'http-fault (xk6-disruptor) +200 ms 20 % answered 503',
    );
  });

  it('refuses a fault that changes nothing, a variation above the delay and a path with a comma', () => {
    expect(() => httpFault.params.parse({})).toThrow(/set delayMs or errorRate/);
    expect(() => httpFault.params.parse({ delayMs: 10, variationMs: 20 })).toThrow(
      /variationMs must not exceed/,
    );
    expect(() => httpFault.params.parse({ delayMs: 10, exclude: ['/a,/b'] })).toThrow(/no comma/);
  });
});
