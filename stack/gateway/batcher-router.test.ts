import { describe, expect, it } from 'vitest';
import type { BatcherRecord } from '../protocol/registry-keys.js';
import { StaticRecordSource } from '../runtime/registry-view.js';
import { BatcherRouter } from './batcher-router.js';

const record = (id: string, state: BatcherRecord['state'] = 'ready'): BatcherRecord => ({
  id,
  url: `http://127.0.0.1:1/${id}`,
  state,
  startedAt: 0,
});

function routerOver(records: BatcherRecord[], ejectAfterFailures = 2, ejectMs = 1_000) {
  const clock = { now: 10_000 };
  const ejected: string[] = [];
  const source = new StaticRecordSource(records);
  const router = new BatcherRouter(source, {
    ejectAfterFailures,
    ejectMs,
    onEject: (id) => ejected.push(id),
    now: () => clock.now,
  });
  return { router, clock, ejected, source };
}

describe('BatcherRouter', () => {
  it('round-robins between batchers with equal outstanding requests', () => {
    const { router } = routerOver([record('a'), record('b'), record('c')]);
    const picks = Array.from({ length: 6 }, () => router.pick(new Set())?.id);
    expect(new Set(picks.slice(0, 3)).size).toBe(3);
    expect(picks.slice(3)).toEqual(picks.slice(0, 3));
  });

  it('prefers the batcher with the fewest outstanding requests', () => {
    const { router } = routerOver([record('a'), record('b')]);
    router.begin('a');
    router.begin('a');
    router.begin('b');
    expect(router.pick(new Set())?.id).toBe('b');
    router.end('a');
    router.end('a');
    expect(router.pick(new Set())?.id).toBe('a');
    expect(router.pick(new Set(['a']))?.id).toBe('b');
  });

  it('skips draining batchers and answers undefined when none is left', () => {
    const { router } = routerOver([record('a', 'draining'), record('b')]);
    expect(router.pick(new Set())?.id).toBe('b');
    expect(router.pick(new Set(['b']))).toBeUndefined();
    expect(router.routableCount()).toBe(1);
  });

  it('ejects after consecutive failures for ejectMs, and a success resets the count', () => {
    const { router, clock, ejected } = routerOver([record('a'), record('b')], 2, 1_000);
    router.recordFailure('a');
    router.recordSuccess('a');
    router.recordFailure('a');
    expect(router.routableCount()).toBe(2);
    router.recordFailure('a');
    expect(ejected).toEqual(['a']);
    expect(router.routableCount()).toBe(1);
    expect([router.pick(new Set())?.id, router.pick(new Set())?.id]).toEqual(['b', 'b']);
    // Failures of requests already under way do not extend the ejection.
    router.recordFailure('a');
    router.recordFailure('a');
    expect(ejected).toEqual(['a']);
    clock.now += 1_000;
    expect(router.routableCount()).toBe(2);
  });

  it('forgets batchers that left the registry', () => {
    const { router, source } = routerOver([record('a'), record('b')], 1);
    router.recordFailure('a');
    expect(router.routableCount()).toBe(1);
    source.set([record('b')]);
    source.set([record('a'), record('b')]);
    expect(router.routableCount()).toBe(2);
    router.close();
  });

  it('routes again at once to an ejected batcher that came back restarted', () => {
    const { router, source } = routerOver([record('a'), record('b')], 1, 60_000);
    router.begin('a');
    router.recordFailure('a');
    expect(router.routableCount()).toBe(1);
    source.set([{ ...record('a'), startedAt: 1 }, record('b')]);
    expect(router.routableCount()).toBe(2);
    router.end('a');
  });
});
