import { describe, expect, it } from 'vitest';
import { serverMetricsSource } from './server-metrics-flags.js';

describe('server metrics flags', () => {
  it('defaults to the built-in scrapes', () => {
    expect(serverMetricsSource({})).toEqual({ kind: 'scrape' });
  });

  it('starts its own Prometheus with --prometheus, or reads one by URL and selector', () => {
    expect(serverMetricsSource({ prometheus: true })).toEqual({ kind: 'own-prometheus' });
    expect(
      serverMetricsSource({ prometheusUrl: 'http://127.0.0.1:9090/', prometheusSelector: 'namespace="llm"' }),
    ).toEqual({ kind: 'prometheus', url: 'http://127.0.0.1:9090', selector: 'namespace="llm"' });
  });

  it('refuses contradictory or malformed flags with the flag named', () => {
    expect(() => serverMetricsSource({ prometheus: true, prometheusUrl: 'http://x:9090' })).toThrow(
      /either --prometheus/,
    );
    expect(() => serverMetricsSource({ prometheusSelector: 'a="b"' })).toThrow(/--prometheus-url only/);
    expect(() => serverMetricsSource({ prometheusUrl: 'nope' })).toThrow(/--prometheus-url: not a URL/);
    expect(() => serverMetricsSource({ prometheusUrl: 'ftp://x' })).toThrow(/http/);
    expect(() => serverMetricsSource({ prometheusUrl: 'http://x', prometheusSelector: '{a="b"}' })).toThrow(
      /without braces/,
    );
  });
});
