import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderPrometheusConfig } from './prometheus-config.js';
import { fileSdGroups } from './scrape-targets.js';

describe('prometheus config', () => {
  it('scrapes one job from the run targets file at the given interval', () => {
    const config = parse(
      renderPrometheusConfig({ scrapeIntervalMs: 1_000, targetsFile: '/run/targets.json' }),
    );
    expect(config.global.scrape_interval).toBe('1000ms');
    expect(config.scrape_configs).toHaveLength(1);
    expect(config.scrape_configs[0].scrape_timeout).toBe('800ms');
    expect(config.scrape_configs[0].file_sd_configs[0].files).toEqual(['/run/targets.json']);
  });

  it('labels each target with run, role, component and node', () => {
    const groups = fileSdGroups('r1', [
      { role: 'worker', id: 'node-a-gpu0', node: 'node-a', url: 'http://127.0.0.1:4100' },
      { role: 'gateway', id: 'gateway-0', node: 'control', url: 'http://127.0.0.1:4000/prefix/' },
    ]);
    expect(groups[0]).toEqual({
      targets: ['127.0.0.1:4100'],
      labels: { gauntlet_run: 'r1', role: 'worker', component: 'node-a-gpu0', node: 'node-a' },
    });
    expect(groups[1]?.labels.__metrics_path__).toBe('/prefix/metrics');
  });
});
