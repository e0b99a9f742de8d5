import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KnownLatencyServer, startKnownLatencyServer } from '../k6/known-latency-server.js';
import { runOpenLoop } from './open-loop-client.js';

// A server that answers /infer exactly 50 ms after each request arrives (it re-arms timers that libuv fires
// early): the generator must read ~50 ms, never less (that would be a generator hiding time).
let server: KnownLatencyServer;
beforeAll(async () => {
  server = await startKnownLatencyServer({ inferDelayMs: 50 });
});
afterAll(() => server.close());

describe('open-loop client', () => {
  it('reads a known 50 ms latency at 200 req/s and keeps its schedule', async () => {
    const result = await runOpenLoop({
      url: `${server.url}/infer`,
      body: () => '{}',
      ratePerS: 200,
      durationS: 2,
    });
    expect(result.sent).toBe(400);
    expect(result.errors).toBe(0);
    expect(result.minMs).toBeGreaterThanOrEqual(49.9);
    expect(result.p50Ms).toBeLessThan(58);
    // The tail includes connection set-up and whatever else shares the 2 cores; bounded, not exact.
    expect(result.p99Ms).toBeLessThan(200);
    expect(Math.abs(result.achievedRatePerS - 200) / 200).toBeLessThan(0.02);
  });

  it('refuses targets outside loopback', async () => {
    await expect(
      runOpenLoop({ url: 'http://10.0.0.1/', body: () => '', ratePerS: 1, durationS: 1 }),
    ).rejects.toThrow(/loopback/);
  });
});
