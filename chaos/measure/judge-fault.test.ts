import { describe, expect, it } from 'vitest';
import type { FaultImpact } from './fault-impact.js';
import { judgeFault } from './judge-fault.js';
import type { Recovery } from './recovery.js';

const impact = (over: Partial<FaultImpact> = {}): FaultImpact => ({
  requests: 200,
  failed: 0,
  failedByKind: {},
  streamsCut: 0,
  lost: 0,
  duplicated: 0,
  lostIds: [],
  duplicatedIds: [],
  ...over,
});
const detected = { status: 'detected' as const, afterMs: 800, resolutionMs: 100 };
const recovery = (over: Partial<Recovery> = {}): Recovery => ({
  status: 'recovered',
  afterMs: 4_000,
  resolutionMs: 1_000,
  windowMs: 20_000,
  eligibleFromMs: 0,
  window: null,
  note: 'recovered after 4 s',
  ...over,
});

describe('judgeFault', () => {
  it('an expectation of 0 failed requests fails when 3 failed, as a structured record with the kinds', () => {
    const result = judgeFault(
      {
        impact: impact({ failed: 3, failedByKind: { server_error: 2, stream_cut: 1 }, streamsCut: 1 }),
        detection: detected,
        recovery: recovery(),
      },
      { maxFailedRequests: 0 },
    );
    expect(result.verdict).toBe('fail');
    expect(result.checks).toEqual([
      {
        name: 'maxFailedRequests',
        verdict: 'fail',
        measured: 3,
        limit: 0,
        detail: 'failed requests 3 > maxFailedRequests 0 (server_error 2, stream_cut 1)',
      },
    ]);
  });

  it('passes when every expectation holds, one record each with measured and allowed values', () => {
    const result = judgeFault(
      {
        impact: impact({ failed: 2, failedByKind: { stream_cut: 2 }, streamsCut: 2 }),
        detection: detected,
        recovery: recovery(),
      },
      {
        maxFailedRequests: 5,
        maxStreamsCut: 2,
        maxDetectS: 1,
        maxRecoveryS: 10,
        noLostRequests: true,
        noDuplicates: true,
      },
    );
    expect(result.verdict).toBe('pass');
    expect(result.checks.map((c) => [c.name, c.verdict, c.measured, c.limit])).toEqual([
      ['maxFailedRequests', 'pass', 2, 5],
      ['maxStreamsCut', 'pass', 2, 2],
      ['maxRecoveryS', 'pass', 4, 10],
      ['maxDetectS', 'pass', 0.8, 1],
      ['noLostRequests', 'pass', 0, 0],
      ['noDuplicates', 'pass', 0, 0],
    ]);
    expect(result.checks[2]?.detail).toContain('4 s (resolution 1 s)');
    expect(result.checks[3]?.detail).toContain('within the 100 ms before');
  });

  it('fails on no recovery, missing detection, lost and duplicated ids', () => {
    const result = judgeFault(
      {
        impact: impact({ lost: 1, lostIds: ['r7'], duplicated: 1, duplicatedIds: ['r9'] }),
        detection: { status: 'not_detected', afterMs: null, note: 'never seen out of routing: w0' },
        recovery: recovery({ status: 'not_recovered', afterMs: null, note: 'all 30 windows failed' }),
      },
      { maxRecoveryS: 10, maxDetectS: 2, noLostRequests: true, noDuplicates: true },
    );
    expect(result.verdict).toBe('fail');
    expect(result.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['maxRecoveryS', 'fail'],
      ['maxDetectS', 'fail'],
      ['noLostRequests', 'fail'],
      ['noDuplicates', 'fail'],
    ]);
    expect(result.checks[2]?.detail).toBe('lost requests 1 (r7)');
  });

  it('held SLOs pass a recovery expectation without a time; undecided windows make it inconclusive', () => {
    const held = judgeFault(
      { impact: impact(), detection: detected, recovery: recovery({ status: 'held', afterMs: null }) },
      { maxRecoveryS: 5 },
    );
    expect(held.checks[0]).toMatchObject({ verdict: 'pass', measured: null });
    const thin = judgeFault(
      {
        impact: impact(),
        detection: detected,
        recovery: recovery({ status: 'undecided', afterMs: null, note: 'windows inconclusive' }),
      },
      { maxRecoveryS: 5 },
    );
    expect(thin.verdict).toBe('inconclusive');
  });

  it('a late detection the probe may have seen late is inconclusive; beyond its resolution it fails', () => {
    const late = (afterMs: number, resolutionMs: number) =>
      judgeFault(
        { impact: impact(), detection: { status: 'detected', afterMs, resolutionMs }, recovery: recovery() },
        { maxDetectS: 3 },
      ).checks[0]?.verdict;
    expect(late(5_000, 4_000)).toBe('inconclusive');
    expect(late(12_000, 100)).toBe('fail');
  });

  it('a slow detection on a starved host is inconclusive; failed requests still fail', () => {
    const result = judgeFault(
      {
        impact: impact({ failed: 1, failedByKind: { timeout: 1 } }),
        detection: { status: 'detected', afterMs: 2_400 },
        recovery: recovery(),
        hostStarved: 'the host was overloaded',
      },
      { maxDetectS: 2, maxFailedRequests: 0 },
    );
    expect(result.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['maxFailedRequests', 'fail'],
      ['maxDetectS', 'inconclusive'],
    ]);
    expect(result.checks[1]?.detail).toMatch(/but the host was overloaded$/);
  });

  it('skips detection where it does not apply; no expectations or no requests is inconclusive', () => {
    const na = judgeFault(
      {
        impact: impact(),
        detection: { status: 'not_applicable', afterMs: null, note: 'routing is not expected to change' },
        recovery: recovery(),
      },
      { maxDetectS: 1, maxFailedRequests: 0 },
    );
    expect(na.verdict).toBe('pass');
    expect(na.checks[1]).toMatchObject({ name: 'maxDetectS', verdict: 'not_applicable' });
    const none = judgeFault({ impact: impact(), detection: detected, recovery: recovery() }, {});
    expect(none.verdict).toBe('inconclusive');
    expect(none.checks[0]?.detail).toMatch(/no expectations/);
    expect(
      judgeFault(
        { impact: impact({ requests: 0 }), detection: detected, recovery: recovery() },
        { maxFailedRequests: 0 },
      ).verdict,
    ).toBe('inconclusive');
  });
});

describe('judgeFault: stalled requests', () => {
  const stalled = {
    count: 2,
    shown: [
      { id: 'r4', waitMs: 10_212 },
      { id: 'r9', waitMs: 10_010 },
    ],
  };

  it('fails when answers came after waiting past the limit, naming the slowest', () => {
    const result = judgeFault(
      { impact: impact(), detection: detected, recovery: recovery(), stalled },
      { maxStalledRequests: 0, stalledAfterS: 3 },
    );
    expect(result.verdict).toBe('fail');
    expect(result.checks).toEqual([
      {
        name: 'maxStalledRequests',
        verdict: 'fail',
        measured: 2,
        limit: 0,
        detail: 'requests answered after waiting over 3 s: 2 > maxStalledRequests 0 (r4 10.2 s, r9 10.0 s)',
      },
    ]);
  });

  it('passes with none stalled, and a starved host makes a stall inconclusive, not a fail', () => {
    const none = judgeFault(
      { impact: impact(), detection: detected, recovery: recovery(), stalled: { count: 0, shown: [] } },
      { maxStalledRequests: 0 },
    );
    expect(none.checks[0]).toMatchObject({ name: 'maxStalledRequests', verdict: 'pass', measured: 0 });
    expect(none.checks[0]?.detail).toContain('over 3 s');
    const starved = judgeFault(
      {
        impact: impact(),
        detection: detected,
        recovery: recovery(),
        stalled,
        stalledHostStarved: 'gateway event loop 900 ms late',
      },
      { maxStalledRequests: 0 },
    );
    expect(starved.verdict).toBe('inconclusive');
    expect(starved.checks[0]?.detail).toContain('but gateway event loop 900 ms late');
  });
});

describe('judgeFault: failures after the rollback', () => {
  it('fails on one failure among the requests sent after the rollback, with its kind', () => {
    const result = judgeFault(
      {
        impact: impact(),
        detection: detected,
        recovery: recovery(),
        afterRollback: { requests: 250, failed: 1, failedByKind: { worker_failed: 1 } },
      },
      { maxFailedAfterRollback: 0 },
    );
    expect(result.verdict).toBe('fail');
    expect(result.checks[0]).toEqual({
      name: 'maxFailedAfterRollback',
      verdict: 'fail',
      measured: 1,
      limit: 0,
      detail: 'failed after the rollback 1 of 250 > maxFailedAfterRollback 0 (worker_failed 1)',
    });
  });

  it('is not applicable when the rollback came at the load end, and does not decide the verdict', () => {
    const result = judgeFault(
      { impact: impact(), detection: detected, recovery: recovery() },
      { maxFailedAfterRollback: 0, maxFailedRequests: 0 },
    );
    expect(result.checks.map((c) => [c.name, c.verdict])).toEqual([
      ['maxFailedRequests', 'pass'],
      ['maxFailedAfterRollback', 'not_applicable'],
    ]);
    expect(result.verdict).toBe('pass');
  });
});
