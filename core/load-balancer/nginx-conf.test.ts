import { describe, expect, it } from 'vitest';
import { loadBalancerSchema } from '../config/cluster-config.js';
import { renderNginxConf, renderUpstream } from './nginx-conf.js';

const settings = (input: Record<string, unknown> = {}) =>
  loadBalancerSchema.parse({ enabled: true, ...input });
const paths = {
  pidFile: '/run/lb/nginx.pid',
  errorLog: '/run/lb/error.log',
  accessLog: '/run/lb/access.log',
  tempDir: '/run/lb/tmp',
};

describe('nginx upstream block', () => {
  it('renders the seed upstream: least_conn, weights, passive health checks, a backup server', () => {
    const text = renderUpstream({
      gateways: ['127.0.0.1:9001', '127.0.0.1:9002', '127.0.0.1:9003'],
      settings: settings({ weights: [3, 1, 1], backup: 1, max_fails: 2, fail_timeout_s: 30 }),
    });
    expect(text).toBe(
      [
        'upstream gateways {',
        '    least_conn;',
        '    server 127.0.0.1:9001 weight=3 max_fails=2 fail_timeout=30s;',
        '    server 127.0.0.1:9002 max_fails=2 fail_timeout=30s;',
        '    server 127.0.0.1:9003 max_fails=2 fail_timeout=30s backup;',
        '    keepalive 32;',
        '  }',
      ].join('\n'),
    );
  });

  it('leaves least_conn out for weighted round robin', () => {
    const text = renderUpstream({ gateways: ['a:1', 'b:1'], settings: settings({ method: 'round_robin' }) });
    expect(text).not.toContain('least_conn');
    expect(text).toContain('server a:1 max_fails=1 fail_timeout=10s;');
  });
});

describe('nginx.conf', () => {
  const base = {
    listen: '127.0.0.1:8123',
    gateways: ['127.0.0.1:9001', '127.0.0.1:9002'],
    requestTimeoutMs: 60_000,
    paths,
  };

  it('retries a failed attempt on the next gateway when proxy_next_upstream is on', () => {
    const text = renderNginxConf({ ...base, settings: settings() });
    expect(text).toContain('proxy_next_upstream error timeout http_502 http_503;');
    expect(text).toContain('listen 127.0.0.1:8123;');
    expect(text).toContain('proxy_connect_timeout 1000ms;');
    expect(text).toContain('proxy_read_timeout 65s;');
    expect(text).toContain('proxy_buffering off;');
    expect(text).toContain('pid /run/lb/nginx.pid;');
    expect(text).toContain('proxy_temp_path /run/lb/tmp/proxy;');
  });

  it('adds non_idempotent only when sent requests may be retried, and turns retries off on request', () => {
    expect(renderNginxConf({ ...base, settings: settings({ retry_sent_requests: true }) })).toContain(
      'proxy_next_upstream error timeout http_502 http_503 non_idempotent;',
    );
    expect(renderNginxConf({ ...base, settings: settings({ proxy_next_upstream: false }) })).toContain(
      'proxy_next_upstream off;',
    );
  });

  it('is pure, and refuses an empty gateway list', () => {
    expect(renderNginxConf({ ...base, settings: settings() })).toBe(
      renderNginxConf({ ...base, settings: settings() }),
    );
    expect(() => renderNginxConf({ ...base, gateways: [], settings: settings() })).toThrow(
      'at least one gateway',
    );
  });
});
