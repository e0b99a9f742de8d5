import { describe, expect, it } from 'vitest';
import { workerSchema } from '../../core/config/cluster-config.js';
import { mulberry32 } from '../../core/random/prng.js';
import { prefixBlockHashes } from '../protocol/prefix-blocks.js';
import type { BatchItem, WorkerEvent } from '../protocol/worker-api.js';
import { FaultState } from './fault-state.js';
import { decodeStepMs, prefillMs } from './latency-model.js';
import { type BatchSink, Scheduler, type SchedulerClock, type StepPhase } from './scheduler.js';

/** A manual clock: timers fire when `advance` passes them, each `lateMs` after its due time. */
class FakeClock implements SchedulerClock {
  private time = 0;
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 1;
  lateMs = 0;
  /** Lateness of the next timers, one entry each, before falling back to `lateMs`. */
  readonly lateness: number[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + delayMs + (this.lateness.shift() ?? this.lateMs), callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Runs every timer due within `ms` (at most 100,000 of them), in time order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let fired = 0; fired < 100_000; fired++) {
      this.timers.sort((a, b) => a.at - b.at);
      const timer = this.timers[0];
      if (!timer || timer.at > until) break;
      this.timers.shift();
      this.time = Math.max(this.time, timer.at);
      timer.callback();
    }
    this.time = until;
  }
}

interface Recorded {
  atMs: number;
  event: WorkerEvent;
}

function recorder(clock: FakeClock): { sink: BatchSink; events: Recorded[]; ended: () => boolean } {
  const events: Recorded[] = [];
  let ended = false;
  return {
    events,
    ended: () => ended,
    sink: {
      write(line) {
        for (const part of line.split('\n')) {
          if (part) events.push({ atMs: clock.now(), event: JSON.parse(part) as WorkerEvent });
        }
      },
      end() {
        ended = true;
      },
    },
  };
}

const item = (id: string, promptTokens: number, maxTokens: number, seed = 1): BatchItem => ({
  id,
  promptTokens,
  maxTokens,
  seed,
});

describe('scheduler', () => {
  it('without mixed batching, prefills waiting prompts up to max_prefill_tokens a pass, before any decode step', () => {
    const clock = new FakeClock();
    const worker = workerSchema.parse({ max_prefill_tokens: 1000, mixed_batching: false });
    const scheduler = new Scheduler({ worker, clock });
    const { sink, events, ended } = recorder(clock);
    scheduler.submit([item('a', 400, 3), item('b', 400, 3), item('c', 400, 3)], sink);

    clock.advance(10_000);
    const steps = events.filter((e) => e.event.t === 'step');
    const first = prefillMs(800, worker.latency);
    const second = first + prefillMs(400, worker.latency);
    expect(steps.map((s) => (s.event.t === 'step' ? s.event.tokens.map(([id]) => id) : []))).toEqual([
      ['a', 'b'],
      ['c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect(steps[0]?.atMs).toBeCloseTo(first, 6);
    expect(steps[1]?.atMs).toBeCloseTo(second, 6);
    // Decode of 3 sequences, mean context: prompt 400 + 1 generated token.
    expect(steps[2]?.atMs).toBeCloseTo(second + decodeStepMs(3, 401, worker.latency), 6);
    expect(ended()).toBe(true);
    expect(scheduler.status()).toMatchObject({ running: 0, waiting: 0, kvUsedTokens: 0 });
  });

  it("with mixed batching, prefills a waiting prompt inside the running sequences' decode step", () => {
    const clock = new FakeClock();
    const worker = workerSchema.parse({ max_prefill_tokens: 1000 });
    const scheduler = new Scheduler({ worker, clock });
    const { sink, events, ended } = recorder(clock);
    scheduler.submit([item('a', 400, 3), item('b', 400, 3), item('c', 400, 3)], sink);

    clock.advance(10_000);
    const steps = events.filter((e) => e.event.t === 'step');
    const ids = steps.map((s) => (s.event.t === 'step' ? s.event.tokens.map(([id]) => id).sort() : []));
    // a and b prefill alone; then c's prefill rides along with a and b's first decode step.
    expect(ids[0]).toEqual(['a', 'b']);
    expect(ids[1]).toEqual(['a', 'b', 'c']);
    const first = prefillMs(800, worker.latency);
    const mixed =
      decodeStepMs(2, 401, worker.latency) + prefillMs(400, worker.latency) - prefillMs(0, worker.latency);
    expect(steps[0]?.atMs).toBeCloseTo(first, 6);
    expect(steps[1]?.atMs).toBeCloseTo(first + mixed, 6);
    expect(ended()).toBe(true);
    expect(scheduler.status()).toMatchObject({ running: 0, waiting: 0, kvUsedTokens: 0 });
  });

  it('corrects timer drift: steady lateness is absorbed, a long stall is not made up', () => {
    const clock = new FakeClock();
    clock.lateMs = 2;
    const worker = workerSchema.parse({});
    const durations: Array<[StepPhase, number]> = [];
    const scheduler = new Scheduler({
      worker,
      clock,
      observer: { step: (phase, ms) => durations.push([phase, ms]) },
    });
    const { sink, events } = recorder(clock);
    scheduler.submit([item('x', 100, 50)], sink);
    clock.advance(5_000);
    const planned = durations.reduce((sum, [, ms]) => sum + ms, 0);
    const done = events.find((e) => e.event.t === 'done');
    // 50 steps each 2 ms late would add 100 ms without correction; with it, only the last step's 2 ms.
    expect(done?.atMs).toBeCloseTo(planned + 2, 6);

    // One timer fires 100 ms late (a stalled event loop): the steps after it are not shortened to catch up.
    const stalled = new FakeClock();
    stalled.lateness.push(0, 100);
    const second = new Scheduler({ worker, clock: stalled });
    const run = recorder(stalled);
    second.submit([item('y', 100, 6)], run.sink);
    stalled.advance(5_000);
    const stepTimes = run.events.filter((e) => e.event.t === 'step').map((e) => e.atMs);
    expect(stepTimes).toHaveLength(6);
    const decodeMs = decodeStepMs(1, 101, worker.latency);
    expect((stepTimes[1] ?? 0) - (stepTimes[0] ?? 0)).toBeCloseTo(decodeMs + 100, 6);
    // Only the 5 ms catch-up allowance is taken back, once.
    expect((stepTimes[2] ?? 0) - (stepTimes[1] ?? 0)).toBeCloseTo(
      decodeStepMs(1, 102, worker.latency) - 5,
      6,
    );
    for (let i = 3; i < stepTimes.length; i++) {
      expect((stepTimes[i] ?? 0) - (stepTimes[i - 1] ?? 0)).toBeCloseTo(
        decodeStepMs(1, 100 + i, worker.latency),
        6,
      );
    }
  });

  it('fails the same sequences for the same seed at errorRate 0.3', () => {
    const failedIds = (seed: number) => {
      const clock = new FakeClock();
      const faults = new FaultState();
      faults.merge({ errorRate: 0.3 });
      const scheduler = new Scheduler({
        worker: workerSchema.parse({}),
        clock,
        faults,
        random: mulberry32(seed),
      });
      const { sink, events } = recorder(clock);
      scheduler.submit(
        Array.from({ length: 20 }, (_, i) => item(`s${i}`, 10, 4, i)),
        sink,
      );
      clock.advance(5_000);
      return events.flatMap((e) => (e.event.t === 'err' ? [e.event.id] : []));
    };
    const first = failedIds(11);
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(20);
    expect(failedIds(11)).toEqual(first);
    expect(failedIds(12)).not.toEqual(first);
  });

  it('applies worker.slowdown, the fault slowdown, the GPU variant and tensor parallelism to step time', () => {
    const clock = new FakeClock();
    const faults = new FaultState();
    faults.merge({ slowdown: 2 });
    const worker = workerSchema.parse({ slowdown: 1.5, gpu: 'a100-40gb', tensor_parallel: 2 });
    const durations: number[] = [];
    const scheduler = new Scheduler({
      worker,
      clock,
      faults,
      observer: { step: (_, ms) => durations.push(ms) },
    });
    scheduler.submit([item('z', 300, 2)], recorder(clock).sink);
    clock.advance(5_000);
    expect(durations[0]).toBeCloseTo(3 * prefillMs(300, worker.latency, 2), 9);
    expect(durations[1]).toBeCloseTo(3 * decodeStepMs(1, 301, worker.latency, 2, 'a100-40gb'), 9);
  });

  it('parks a step that ends during a hang and emits it when the hang clears', () => {
    const clock = new FakeClock();
    const faults = new FaultState();
    const scheduler = new Scheduler({ worker: workerSchema.parse({}), clock, faults });
    const { sink, events, ended } = recorder(clock);
    scheduler.submit([item('h', 100, 2)], sink);
    faults.merge({ hang: true });
    clock.advance(1_000);
    expect(events).toHaveLength(0);
    faults.merge({ hang: false });
    expect(events).toHaveLength(1);
    clock.advance(1_000);
    expect(ended()).toBe(true);
  });

  it('drain resolves once the sequences in flight finish and refuses new ones', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler({ worker: workerSchema.parse({}), clock });
    scheduler.submit([item('d', 10, 3)], recorder(clock).sink);
    let drained = false;
    const draining = scheduler.drain().then(() => {
      drained = true;
    });
    const late = recorder(clock);
    scheduler.submit([item('late', 10, 3)], late.sink);
    expect(late.events.map((e) => e.event)).toMatchObject([{ t: 'err', id: 'late', code: 'draining' }]);
    await Promise.resolve();
    expect(drained).toBe(false);
    clock.advance(1_000);
    await draining;
    expect(drained).toBe(true);
  });
});

describe('scheduler prefix cache and cancel', () => {
  // 1,024 characters: 16 whole blocks of 16 tokens, a 256-token prompt.
  const hashes = prefixBlockHashes('shared system prompt. '.repeat(47).slice(0, 1024));
  const cachedItem = (id: string, seed: number): BatchItem => ({
    ...item(id, 256, 1, seed),
    prefixHashes: hashes,
  });

  it('skips the prefill of cached prompt blocks, all but the last token, and counts the hit', () => {
    const clock = new FakeClock();
    const worker = workerSchema.parse({ mixed_batching: false });
    const lookups: Array<[number, number]> = [];
    const scheduler = new Scheduler({
      worker,
      clock,
      observer: { prefixLookup: (queried, hit) => lookups.push([queried, hit]) },
    });
    const first = recorder(clock);
    scheduler.submit([cachedItem('a', 1)], first.sink);
    clock.advance(1_000);
    expect(first.events[0]?.atMs).toBeCloseTo(prefillMs(256, worker.latency), 6);

    const second = recorder(clock);
    const start = clock.now();
    scheduler.submit([cachedItem('b', 2)], second.sink);
    clock.advance(1_000);
    expect((second.events[0]?.atMs ?? 0) - start).toBeCloseTo(prefillMs(1, worker.latency), 6);
    expect(lookups).toEqual([
      [256, 0],
      [256, 255],
    ]);
  });

  it('prefills the whole prompt when the cache is disabled or the prompt names no blocks', () => {
    const clock = new FakeClock();
    const worker = workerSchema.parse({ mixed_batching: false, prefix_cache: { enabled: false } });
    const scheduler = new Scheduler({ worker, clock });
    scheduler.submit([cachedItem('a', 1)], recorder(clock).sink);
    clock.advance(1_000);
    const again = recorder(clock);
    const start = clock.now();
    scheduler.submit([cachedItem('b', 2)], again.sink);
    clock.advance(1_000);
    expect((again.events[0]?.atMs ?? 0) - start).toBeCloseTo(prefillMs(256, worker.latency), 6);
  });

  it('cancels single sequences of a running batch: frees them at once, answers cancelled, keeps the others', () => {
    const clock = new FakeClock();
    const worker = workerSchema.parse({});
    let cancelled = 0;
    const scheduler = new Scheduler({ worker, clock, observer: { cancelled: (n) => (cancelled += n) } });
    const { sink, events, ended } = recorder(clock);
    const handle = scheduler.submit([item('a', 100, 1000), item('b', 100, 20)], sink);
    clock.advance(100);
    expect(scheduler.status().running).toBe(2);
    expect(handle.cancelItems(['a', 'nobody'])).toBe(1);
    expect(handle.cancelItems(['a'])).toBe(0);
    expect(scheduler.status()).toMatchObject({ running: 1, kvUsedTokens: 120 });
    expect(events.map((e) => e.event).filter((e) => e.t === 'err')).toEqual([
      { t: 'err', id: 'a', code: 'cancelled', message: 'the client cancelled the request' },
    ]);
    clock.advance(10_000);
    expect(events.some((e) => e.event.t === 'done' && e.event.id === 'b')).toBe(true);
    const tokensAfterCancel = events
      .filter((e) => e.atMs > 100 && e.event.t === 'step')
      .flatMap((e) => (e.event.t === 'step' ? e.event.tokens.map(([id]) => id) : []));
    expect(tokensAfterCancel).not.toContain('a');
    expect(ended()).toBe(true);
    expect(cancelled).toBe(1);
    expect(scheduler.status()).toMatchObject({ running: 0, waiting: 0, kvUsedTokens: 0 });
  });
});
