import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'hdr-histogram-js';
import { Agent, request } from 'undici';

/**
 * A small open-model load generator for benches: requests start on a fixed schedule whatever the latency,
 * and latency is measured from each request's intended start, so a stall in the generator or the server
 * shows up as latency instead of hiding (no coordinated omission). Bounded in count and time.
 */
export interface OpenLoopOptions {
  url: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  body: (index: number) => string;
  ratePerS: number;
  durationS: number;
  /** Requests still open this long after the schedule ends are counted as timeouts. */
  drainTimeoutMs?: number;
  /** Only 127.0.0.1 / localhost / [::1] targets are allowed. */
  connections?: number;
}

export interface OpenLoopResult {
  sent: number;
  ok: number;
  errors: number;
  /** How far behind schedule the generator's sends were, at worst. */
  maxSendLagMs: number;
  achievedRatePerS: number;
  minMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const target = new URL(options.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    throw new Error(`open-loop load only targets loopback addresses, not ${target.hostname}`);
  }
  const total = Math.round(options.ratePerS * options.durationS);
  if (total < 1 || total > 1_000_000) throw new Error(`request count must be 1..1,000,000, got ${total}`);
  const dispatcher = new Agent({
    connections: options.connections ?? 512,
    keepAliveTimeout: 10_000,
    pipelining: 1,
  });
  const histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const intervalMs = 1000 / options.ratePerS;
  const start = performance.now() + 50;
  let ok = 0;
  let errors = 0;
  let maxSendLagMs = 0;
  const inflight = new Set<Promise<void>>();

  const one = async (index: number, intendedAt: number) => {
    try {
      const response = await request(options.url, {
        method: options.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: options.body(index),
        dispatcher,
        headersTimeout: 60_000,
        bodyTimeout: 60_000,
      });
      await response.body.dump({ limit: Number.POSITIVE_INFINITY });
      if (response.statusCode >= 200 && response.statusCode < 300) ok++;
      else errors++;
    } catch {
      errors++;
    }
    // Microseconds, from the intended start.
    histogram.recordValue(Math.max(1, Math.round((performance.now() - intendedAt) * 1000)));
  };

  for (let i = 0; i < total; i++) {
    const intendedAt = start + i * intervalMs;
    const wait = intendedAt - performance.now();
    if (wait > 1) await sleep(wait);
    const sentAt = performance.now();
    maxSendLagMs = Math.max(maxSendLagMs, sentAt - intendedAt);
    // Late sends count from when they were due (no coordinated omission); a timer that fired a little early
    // counts from the actual send, so latency is never under-read.
    const p = one(i, Math.min(intendedAt, sentAt));
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }
  const scheduleEnd = performance.now();
  const drain = Promise.all([...inflight]);
  const timedOut = await Promise.race([
    drain.then(() => false),
    sleep(options.drainTimeoutMs ?? 30_000).then(() => true),
  ]);
  if (timedOut) errors += inflight.size;
  const elapsedS = (scheduleEnd - start + intervalMs) / 1000;
  await dispatcher.destroy();
  const result: OpenLoopResult = {
    sent: total,
    ok,
    errors,
    maxSendLagMs,
    achievedRatePerS: total / Math.max(elapsedS, 1e-9),
    minMs: histogram.minNonZeroValue / 1000,
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    maxMs: histogram.maxValue / 1000,
  };
  histogram.destroy();
  return result;
}
