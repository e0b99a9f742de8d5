import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../core/project-root.js';
import { parseRunJson } from '../reports/render/write-reports.js';
import { runCli } from './support/cli.js';

// The spike scenario against the autoscaling example stack: 2 req/s that one batcher serves with an empty
// queue (2 sequences of ~0.5 s in flight: ~4 req/s), then 5x for 10 s, which queues at that batcher until
// more of them serve, then back to 2 req/s.
describe('autoscaling under a spike', () => {
  it('scales the batchers out during the spike and back in after it, and reports both', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gauntlet-autoscale-'));
    const out = join(home, 'spike');
    const result = await runCli(
      [
        'run',
        'spike',
        '--platform',
        'local',
        '--config',
        join(projectRoot(), 'examples', 'autoscaling', 'cluster.yaml'),
        '--rps',
        '2',
        '--duration',
        '10s',
        '--mix',
        'chat_stream:1',
        '--max-tokens',
        '32',
        '--env',
        'WARMUP=0',
        '--env',
        'SPIKE_DURATION=10s',
        '--env',
        'RECOVERY=25s',
        '--no-progress',
        '--out',
        out,
      ],
      { GAUNTLET_HOME: home },
      180_000,
    );
    expect(result.code, result.stdout + result.stderr).not.toBe(3);
    const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
    const replicas = run.serverMetrics.series.find(
      (s) => s.component === 'batchers' && s.gauge === 'replicas',
    );
    expect(replicas?.points.length).toBeGreaterThan(20);
    const spike = run.scenarios[0]?.phases.find((p) => p.name === 'spike');
    expect(spike).toBeDefined();
    const startS = spike?.startS ?? 0;
    const endS = startS + (spike?.durationS ?? 0);
    const points = replicas?.points ?? [];
    // One batcher before the spike, more during it (or within a few seconds of its start), one at the end.
    expect(points.filter(([t]) => t < startS - 1).every(([, n]) => n === 1)).toBe(true);
    expect(
      Math.max(...points.filter(([t]) => t >= startS && t <= endS + 3).map(([, n]) => n)),
    ).toBeGreaterThan(1);
    expect(points.at(-1)?.[1]).toBe(1);
    const notes = run.notes.join('\n');
    expect(notes).toMatch(
      /autoscaler, spike: scaled out [\d.]+ s after the spike began \(to \d\); back at 1 [\d.]+ s after it ended/,
    );
    expect(notes).toMatch(/requests shed \(429\) by phase, spike: steady \d+, spike \d+, recovery \d+/);
  }, 200_000);
});
