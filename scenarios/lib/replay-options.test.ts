import { describe, expect, it } from 'vitest';
import { replayScenario } from './replay-options.ts';

describe('replayScenario', () => {
  const limits = { requestTimeoutMs: 60_000, maxVUs: 2_000 };

  it('sizes the VU pool by the busiest latency window, within MAX_VUS and the request count', () => {
    expect(replayScenario(1000, 100, 10, limits)).toEqual({
      executor: 'shared-iterations',
      vus: 17,
      iterations: 1000,
      maxDuration: '165000ms',
      gracefulStop: '65000ms',
      tags: { phase: 'replay' },
    });
    expect(replayScenario(5, 1, 10, limits).vus).toBe(5);
    expect(replayScenario(100_000, 100, 5_000, limits).vus).toBe(2_000);
  });
});
