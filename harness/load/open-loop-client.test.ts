import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpenLoop } from './open-loop-client.js';

// A server that always answers after 50 ms: the generator must read ~50 ms, not less (a rate limiter that
// measures from the actual send would still read 50; one that hides queueing would read less under stalls).
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    setTimeout(() => res.end('{}'), 50);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('open-loop client', () => {
  it('reads a known 50 ms latency at 200 req/s and keeps its schedule', async () => {
    const result = await runOpenLoop({ url, body: () => '{}', ratePerS: 200, durationS: 2 });
    expect(result.sent).toBe(400);
    expect(result.errors).toBe(0);
    // Never below the true latency (that would be a generator hiding time), close to it at the median.
    expect(result.minMs).toBeGreaterThanOrEqual(48.5); // libuv timers have 1 ms granularity
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
