import { describe, expect, it } from 'vitest';
import type { FaultImpact } from './fault-impact.js';
import { judgeFault } from './judge-fault.js';

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
const detected = { status: 'detected' as const, afterMs: 800 };

describe('judgeFault', () => {
  it('an expectation of 0 failed requests fails when 3 failed, and says so with the kinds', () => {
    const result = judgeFault(
      {
        impact: impact({ failed: 3, failedByKind: { server_error: 2, stream_cut: 1 }, streamsCut: 1 }),
        detection: detected,
        recoveredAfterMs: 0,
      },
      { maxFailedRequests: 0 },
    );
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([
      'FAIL: failed requests 3 > maxFailedRequests 0 (server_error 2, stream_cut 1)',
    ]);
  });

  it('passes when every expectation holds, listing each', () => {
    const result = judgeFault(
      {
        impact: impact({ failed: 2, failedByKind: { stream_cut: 2 }, streamsCut: 2 }),
        detection: detected,
        recoveredAfterMs: 4_200,
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
    expect(result).toEqual({
      verdict: 'pass',
      reasons: [
        'ok: failed requests 2 <= maxFailedRequests 5 (stream_cut 2)',
        'ok: streams cut 2 <= maxStreamsCut 2',
        'ok: recovered after 4.2 s <= maxRecoveryS 10',
        'ok: detected after 0.80 s <= maxDetectS 1',
        'ok: lost requests 0',
        'ok: duplicated requests 0',
      ],
    });
  });

  it('fails on no recovery, slow or missing detection, lost and duplicated ids', () => {
    const result = judgeFault(
      {
        impact: impact({ lost: 1, lostIds: ['r7'], duplicated: 1, duplicatedIds: ['r9'] }),
        detection: { status: 'not_detected', afterMs: null, note: 'never seen out of routing: w0' },
        recoveredAfterMs: null,
      },
      { maxRecoveryS: 10, maxDetectS: 2, noLostRequests: true, noDuplicates: true },
    );
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([
      'FAIL: not back inside the SLOs before the load ended (maxRecoveryS 10)',
      'FAIL: not detected (never seen out of routing: w0; maxDetectS 2)',
      'FAIL: lost requests 1 (r7)',
      'FAIL: duplicated requests 1 (r9)',
    ]);
  });

  it('skips detection where it does not apply, and is inconclusive without requests', () => {
    const na = judgeFault(
      {
        impact: impact(),
        detection: { status: 'not_applicable', afterMs: null, note: 'routing is not expected to change' },
        recoveredAfterMs: 0,
      },
      { maxDetectS: 1 },
    );
    expect(na).toEqual({
      verdict: 'pass',
      reasons: ['n/a: detection not applicable (routing is not expected to change)'],
    });
    expect(
      judgeFault({ impact: impact({ requests: 0 }), detection: detected, recoveredAfterMs: 0 }, {}).verdict,
    ).toBe('inconclusive');
  });
});
