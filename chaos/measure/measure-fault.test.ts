import { describe, expect, it } from 'vitest';
import { faultSchema } from '../experiment/experiment-schema.js';
import type { Slo } from '../experiment/slo.js';
import type { JournalEntry } from '../faults/fault-journal.js';
import { plantedRequests } from '../testing/planted-requests.js';
import { indexById } from './fault-impact.js';
import { measureFault } from './measure-fault.js';
import { sortByStart } from './measured-request.js';

const origin = 1_700_000_000_000;
const slos: Slo[] = [
  { id: 'p99', metric: 'e2e', stat: 'p99', op: '<', threshold: 1_000 },
  { id: 'err', metric: 'error_rate', op: '<', threshold: 0.01 },
];
const spec = faultSchema.parse({
  id: 'kill-worker',
  at: 20,
  durationS: 20,
  action: 'kill',
  target: { role: 'worker' },
});

describe('measureFault', () => {
  // 100 req/s for 60 s (1,000 requests a 10 s window: p99 intervals exist); the fault at t+20 s makes a
  // quarter of the requests of the next 4 s fail.
  const requests = sortByStart(
    plantedRequests({
      originMs: origin,
      ratePerS: 100,
      durationMs: 60_000,
      phases: [
        { fromMs: 20_000, toMs: 22_000, err: 'stream_cut', every: 4, st: 200 },
        { fromMs: 22_000, toMs: 24_000, err: 'server_error', every: 4 },
      ],
    }),
  );
  const entry: JournalEntry = {
    faultId: 'kill-worker',
    action: 'kill',
    targets: ['node-a-gpu0'],
    injectedAt: origin + 20_000,
    confirmedAt: origin + 20_004,
    revertedAt: origin + 40_000,
  };
  const ctx = {
    sorted: requests,
    byId: indexById(requests),
    slos,
    loadStartMs: origin,
    loadEndMs: origin + 60_000,
    windowMs: 10_000,
    routers: ['batcher-0'],
    probeIntervalMs: 100,
    observations: [
      {
        t: origin + 20_350,
        targetId: 'node-a-gpu0',
        signal: 'ejected' as const,
        source: 'batcher:batcher-0',
      },
    ],
  };

  it('joins the journal, the requests and the probe into one result', () => {
    const result = measureFault(
      spec,
      entry,
      [{ id: 'node-a-gpu0', role: 'worker' }],
      { maxFailedRequests: 0, maxRecoveryS: 10 },
      ctx,
    );
    expect(result).toMatchObject({
      id: 'kill-worker',
      action: 'kill',
      targets: ['node-a-gpu0'],
      injectedAt: origin + 20_000,
      revertedAt: origin + 40_000,
      detection: 'detected',
      detectedAfterMs: 350,
      detectionResolutionMs: 100,
      recoveredAfterMs: 4_000,
      recovery: { status: 'recovered', resolutionMs: 1_000, windowMs: 10_000 },
      failedRequests: { stream_cut: 50, server_error: 50 },
      failedTotal: 100,
      streamsCut: 50,
      lost: 0,
      duplicated: 0,
      verdict: 'fail',
    });
    expect(result.checks.map((c) => [c.name, c.verdict, c.measured])).toEqual([
      ['maxFailedRequests', 'fail', 100],
      ['maxRecoveryS', 'pass', 4],
      ['after-window', 'pass', null],
    ]);
    expect(result.checks[0]?.detail).toBe(
      'failed requests 100 > maxFailedRequests 0 (stream_cut 50, server_error 50)',
    );
  });

  it('judges the windows before, during and after the fault with the reports evaluator (CIs, samples)', () => {
    const result = measureFault(spec, entry, [{ id: 'node-a-gpu0', role: 'worker' }], {}, ctx);
    expect(result.windows.map((w) => [w.phase, w.fromMs - origin, w.toMs - origin, w.verdict])).toEqual([
      ['before', 10_000, 20_000, 'pass'],
      ['during', 20_000, 40_000, 'fail'],
      ['after', 40_000, 60_000, 'pass'],
    ]);
    const errorRate = result.windows[1]?.slos.find((s) => s.id === 'err');
    expect(errorRate).toMatchObject({ verdict: 'fail', observed: 0.05, samples: 2_000 });
    expect(errorRate?.ci?.[0]).toBeGreaterThan(0.01);
    // No expectations: nothing was shown about the fault, whatever the windows say.
    expect(result.verdict).toBe('inconclusive');
  });

  it('a fault the load ended before it recovered from has no after window in the record, and its after-window check says why', () => {
    const unrecovered = { ...entry, revertedAt: origin + 70_000 };
    // Every request from the kill on fails: no recovery window passes before the load ends.
    const failing = sortByStart(
      plantedRequests({
        originMs: origin,
        ratePerS: 100,
        durationMs: 60_000,
        phases: [{ fromMs: 20_000, toMs: 60_000, err: 'server_error', every: 1 }],
      }),
    );
    const result = measureFault(
      spec,
      unrecovered,
      [{ id: 'node-a-gpu0', role: 'worker' }],
      { maxFailedRequests: 0 },
      { ...ctx, sorted: failing, byId: indexById(failing) },
    );
    expect(result.windows.map((w) => [w.phase, w.fromMs - origin, w.toMs - origin])).toEqual([
      ['before', 10_000, 20_000],
      ['during', 20_000, 60_000],
    ]);
    expect(result.checks.find((c) => c.name === 'after-window')).toMatchObject({
      verdict: 'inconclusive',
      detail:
        'after the fault: the load ended before the fault and its recovery did: nothing was measured after it',
    });
    expect(result.verdict).toBe('fail');
  });

  it('a detection slower than allowed is inconclusive when the host was starved during the fault', () => {
    const overload = {
      service: 'batcher-0',
      fromS: (origin + 20_000) / 1000,
      toS: (origin + 22_000) / 1000,
      maxDelayMs: 700,
    };
    const targets = [{ id: 'node-a-gpu0', role: 'worker' as const }];
    const starved = measureFault(
      spec,
      entry,
      targets,
      { maxDetectS: 0.1 },
      {
        ...ctx,
        evaluation: { hostOverloads: [overload] },
      },
    );
    expect(starved.checks[0]).toMatchObject({ name: 'maxDetectS', verdict: 'inconclusive' });
    expect(measureFault(spec, entry, targets, { maxDetectS: 0.1 }, ctx).checks[0]?.verdict).toBe('fail');
  });

  it('too few requests make the windows inconclusive with what would decide them', () => {
    const sparse = sortByStart(plantedRequests({ originMs: origin, ratePerS: 5, durationMs: 60_000 }));
    const result = measureFault(
      spec,
      entry,
      [{ id: 'node-a-gpu0', role: 'worker' }],
      { maxFailedRequests: 0 },
      { ...ctx, sorted: sparse, byId: indexById(sparse) },
    );
    const p99 = result.windows[0]?.slos.find((s) => s.id === 'p99');
    expect(p99).toMatchObject({ verdict: 'inconclusive', samples: 50, needed: { samples: 563 } });
    expect(result.recovery?.status).toBe('undecided');
    expect(result.verdict).toBe('inconclusive');
  });

  it('a request in flight at the injection and cut by it counts for the fault, not against the before window', () => {
    const cut = { id: 'cut', t0: origin + 19_900, e2e: 300, ok: false, err: 'stream_cut', st: 200 };
    const withCut = sortByStart([...requests, cut]);
    const result = measureFault(
      spec,
      entry,
      [{ id: 'node-a-gpu0', role: 'worker' }],
      {},
      { ...ctx, sorted: withCut, byId: indexById(withCut) },
    );
    expect(result.failedRequests.stream_cut).toBe(51);
    expect(result.windows[0]).toMatchObject({ phase: 'before', failed: 0, verdict: 'pass' });
  });

  it('a fault never injected is inconclusive, with the reason', () => {
    const failed = { ...entry, injectError: 'freeze node-a-gpu0: not running' };
    const result = measureFault(spec, failed, [], {}, ctx);
    expect(result.verdict).toBe('inconclusive');
    expect(result.checks[0]?.detail).toBe('the fault was not injected: freeze node-a-gpu0: not running');
    expect(measureFault(spec, undefined, [], {}, ctx).checks[0]?.detail).toBe(
      'the fault was not injected (the run stopped first)',
    );
  });
});
