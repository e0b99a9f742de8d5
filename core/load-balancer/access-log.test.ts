import { describe, expect, it } from 'vitest';
import { type BalancedRequest, deadUpstreamCost, parseAccessLog } from './access-log.js';

const line = (t: number, status: number, upstream: string, upstreamStatus: string) =>
  JSON.stringify({
    t,
    status,
    request_time: 0.1,
    uri: '/v1/completions',
    upstream,
    upstream_status: upstreamStatus,
  });

describe('nginx access log', () => {
  it('parses the gauntlet format, splitting retried attempts, and skips other lines', () => {
    const text = [
      line(1000.123, 200, '127.0.0.1:9001', '200'),
      '2026/11/30 18:00:00 [warn] something',
      line(1000.5, 200, '127.0.0.1:9002, 127.0.0.1:9001', '502, 200'),
      line(1001, 502, '-', '-'),
      '',
    ].join('\n');
    expect(parseAccessLog(text)).toEqual([
      {
        endedAt: 1_000_123,
        status: 200,
        durationMs: 100,
        uri: '/v1/completions',
        upstreams: ['127.0.0.1:9001'],
        upstreamStatuses: ['200'],
      },
      {
        endedAt: 1_000_500,
        status: 200,
        durationMs: 100,
        uri: '/v1/completions',
        upstreams: ['127.0.0.1:9002', '127.0.0.1:9001'],
        upstreamStatuses: ['502', '200'],
      },
      {
        endedAt: 1_001_000,
        status: 502,
        durationMs: 100,
        uri: '/v1/completions',
        upstreams: [],
        upstreamStatuses: [],
      },
    ]);
  });
});

describe('the cost of a dead gateway', () => {
  const dead = '127.0.0.1:9002';
  const other = '127.0.0.1:9001';
  const req = (
    endedAt: number,
    durationMs: number,
    status: number,
    upstreams: string[],
    statuses: string[],
  ) => ({
    endedAt,
    status,
    durationMs,
    uri: '/infer',
    upstreams,
    upstreamStatuses: statuses,
  });

  it('tells in-flight losses from attempts after the death, retried or failed, and later probes', () => {
    const requests: BalancedRequest[] = [
      req(900, 100, 200, [dead], ['200']), // before the kill: not counted
      req(1_099, 200, 200, [dead], ['200']), // a stream the kill cut: headers were 200, it ended at 1,099
      req(1_100, 300, 502, [dead], ['502']), // in flight when it died at 1,100
      req(1_150, 20, 200, [dead, other], ['502', '200']), // started after: retried
      req(1_200, 20, 502, [dead], ['502']), // started after: failed
      req(1_300, 200, 200, [other], ['200']),
      req(11_200, 10, 502, [dead], ['502']), // fail_timeout (10 s) later: nginx tries it again
    ];
    expect(deadUpstreamCost(requests, dead, { from: 1_000, to: 20_000, failTimeoutMs: 10_000 })).toEqual({
      diedAt: 1_100,
      inFlight: 2,
      inFlightFailed: 1,
      attemptsAfter: 3,
      failedAfter: 2,
      retriedAfter: 1,
      skippedAfterMs: 100,
      probesAfterSkip: 1,
    });
  });

  it('reads null when no request met the dead gateway', () => {
    expect(
      deadUpstreamCost([req(1_100, 10, 200, [other], ['200'])], dead, {
        from: 1_000,
        to: 2_000,
        failTimeoutMs: 1_000,
      }),
    ).toMatchObject({ diedAt: null, attemptsAfter: 0, skippedAfterMs: null });
  });
});
