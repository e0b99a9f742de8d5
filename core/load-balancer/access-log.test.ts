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
        uri: '/v1/completions',
        upstreams: ['127.0.0.1:9001'],
        upstreamStatuses: ['200'],
      },
      {
        endedAt: 1_000_500,
        status: 200,
        uri: '/v1/completions',
        upstreams: ['127.0.0.1:9002', '127.0.0.1:9001'],
        upstreamStatuses: ['502', '200'],
      },
      { endedAt: 1_001_000, status: 502, uri: '/v1/completions', upstreams: [], upstreamStatuses: [] },
    ]);
  });
});

describe('the cost of a dead gateway', () => {
  const dead = '127.0.0.1:9002';
  const req = (endedAt: number, status: number, upstreams: string[]): BalancedRequest => ({
    endedAt,
    status,
    uri: '/infer',
    upstreams,
    upstreamStatuses: [],
  });

  it('counts failures, retries, when nginx skipped the gateway and its later probes', () => {
    const requests = [
      req(900, 200, [dead]), // before the kill: not counted
      req(1_050, 502, [dead]),
      req(1_120, 200, [dead, '127.0.0.1:9001']),
      req(1_300, 200, ['127.0.0.1:9001']),
      req(11_200, 502, [dead]), // fail_timeout (10 s) later: nginx tries it again
    ];
    expect(deadUpstreamCost(requests, dead, { from: 1_000, to: 20_000, failTimeoutMs: 10_000 })).toEqual({
      attemptsOnDead: 3,
      failedRequests: 2,
      retriedRequests: 1,
      skippedAfterMs: 120,
      probesAfterSkip: 1,
    });
  });

  it('reads null when no request met the dead gateway', () => {
    expect(
      deadUpstreamCost([req(1_100, 200, ['x:1'])], dead, { from: 1_000, to: 2_000, failTimeoutMs: 1_000 }),
    ).toMatchObject({
      attemptsOnDead: 0,
      skippedAfterMs: null,
    });
  });
});
