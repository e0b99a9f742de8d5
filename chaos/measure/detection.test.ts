import { describe, expect, it } from 'vitest';
import { type DetectionObservation, detectionOf } from './detection.js';

const at = 1_000_000;
const obs = (
  t: number,
  targetId: string,
  signal: DetectionObservation['signal'],
  source = 'batcher:batcher-0',
): DetectionObservation => ({
  t,
  targetId,
  signal,
  source,
});

describe('detectionOf', () => {
  it('is when every target had been seen out of routing, observations before injection ignored', () => {
    const observations = [
      obs(at - 500, 'w0', 'ejected'),
      obs(at + 300, 'w0', 'ejected'),
      obs(at + 2_900, 'w1', 'unregistered', 'etcd-registry'),
      obs(at + 4_000, 'w1', 'ejected'),
    ];
    const targets = [
      { id: 'w0', role: 'worker' as const },
      { id: 'w1', role: 'worker' as const },
    ];
    expect(detectionOf({ action: 'node-kill' }, targets, at, observations)).toMatchObject({
      status: 'detected',
      afterMs: 2_900,
    });
  });

  it('states a wider resolution when the observation came long after its source last answered', () => {
    const d = detectionOf(
      { action: 'etcd-kill-leader' },
      [{ id: 'etcd-0', role: 'etcd' }],
      at,
      [{ ...obs(at + 5_000, 'etcd-0', 'leader_changed', 'etcd-status'), sinceMs: 4_000 }],
      { resolutionMs: 100 },
    );
    expect(d).toMatchObject({ status: 'detected', afterMs: 5_000, resolutionMs: 4_000 });
    expect(d.note).toMatch(/last answered 4000 ms before/);
  });

  it('with routers: a worker is out when the last batcher dropped it, stamped at observation', () => {
    const observations = [
      obs(at + 100, 'w0', 'ejected', 'batcher:b0'),
      obs(at + 50, 'w0', 'unregistered', 'etcd-registry'),
      obs(at + 3_100, 'w0', 'not_live', 'batcher:b1'),
    ];
    const worker = [{ id: 'w0', role: 'worker' as const }];
    expect(
      detectionOf({ action: 'kill' }, worker, at, observations, { routers: ['b0', 'b1'], resolutionMs: 100 }),
    ).toMatchObject({ status: 'detected', afterMs: 3_100, resolutionMs: 100 });
    // One router that kept sending to it: not detected, naming that router.
    const partial = detectionOf({ action: 'kill' }, worker, at, observations.slice(0, 2), {
      routers: ['b0', 'b1'],
    });
    expect(partial).toMatchObject({ status: 'not_detected', afterMs: null });
    expect(partial.note).toContain('still routed by b1');
  });

  it('not detected names the targets never seen', () => {
    const result = detectionOf({ action: 'kill' }, [{ id: 'w0', role: 'worker' }], at, [
      obs(at + 10, 'w9', 'ejected'),
    ]);
    expect(result).toMatchObject({
      status: 'not_detected',
      afterMs: null,
      note: 'never seen out of routing: w0',
    });
  });

  it('is not applicable where routing should not change or cannot be seen', () => {
    expect(detectionOf({ action: 'gpu-slowdown' }, [{ id: 'w0', role: 'worker' }], at, []).status).toBe(
      'not_applicable',
    );
    expect(
      detectionOf(
        { action: 'network-latency', link: 'batcher->worker' },
        [{ id: 'w0', role: 'worker' }],
        at,
        [],
      ).status,
    ).toBe('not_applicable');
    expect(
      detectionOf(
        { action: 'network-partition', link: 'gateway->batcher' },
        [{ id: 'batcher-0', role: 'batcher' }],
        at,
        [],
      ).note,
    ).toBe('the gateway exposes no routing state to observe');
    expect(detectionOf({ action: 'etcd-quorum-loss' }, [{ id: 'etcd-0', role: 'etcd' }], at, []).status).toBe(
      'not_applicable',
    );
  });

  it('an etcd leader kill is detected by the leader change, a batcher kill by its lease', () => {
    expect(
      detectionOf({ action: 'etcd-kill-leader' }, [{ id: 'etcd-1', role: 'etcd' }], at, [
        obs(at + 700, 'etcd-1', 'leader_changed', 'etcd-status'),
      ]),
    ).toEqual({
      status: 'detected',
      afterMs: 700,
    });
    expect(
      detectionOf({ action: 'kill' }, [{ id: 'batcher-0', role: 'batcher' }], at, [
        obs(at + 100, 'batcher-0', 'ejected'),
        obs(at + 3_100, 'batcher-0', 'unregistered', 'etcd-registry'),
      ]),
    ).toEqual({ status: 'detected', afterMs: 3_100 });
  });
});
