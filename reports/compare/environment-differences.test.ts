import { describe, expect, it } from 'vitest';
import { exampleRun } from '../testing/example-run.js';
import { configChanges, environmentDifferences } from './environment-differences.js';
import { poolRuns } from './pool-runs.js';

const run = exampleRun({ samples: 2_000, seed: 5 });

describe('environmentDifferences', () => {
  it('says nothing for the same versions and config', () => {
    expect(environmentDifferences(run, run)).toEqual([]);
  });

  it('names a different Gauntlet or k6 version and each stack config field that changed', () => {
    const cluster = { worker: { slowdown: 1, gpu: 'a100-80gb-sxm' }, etcd: { members: 3 } };
    const before = { ...run, config: { ...run.config, cluster } };
    const after = {
      ...run,
      versions: { ...run.versions, gauntlet: '9.9.9', k6: 'k6 v2.0.0' },
      config: { ...run.config, cluster: { ...cluster, worker: { ...cluster.worker, slowdown: 4 } } },
    };
    const lines = environmentDifferences(before, after);
    expect(lines).toContain(`Gauntlet version differs: ${run.versions.gauntlet} originally, 9.9.9 now`);
    expect(lines.some((l) => /^k6 version differs: .* k6 v2\.0\.0 now$/.test(l))).toBe(true);
    expect(lines).toContain('stack config differs: worker.slowdown: 1 -> 4');
  });

  it('lists nested, added and removed fields in a stable order', () => {
    expect(configChanges({ a: 1, b: { c: [1] } }, { b: { c: [2] }, d: true })).toEqual([
      'a: 1 -> (absent)',
      'b.c: [1] -> [2]',
      'd: (absent) -> true',
    ]);
  });
});

describe('poolRuns', () => {
  it('sums counts, keeps every histogram and recomputes the rate intervals over the summed time', () => {
    const other = exampleRun({ samples: 3_000, seed: 6 });
    const pooled = poolRuns([run, other], 'A');
    expect(pooled.runId).toBe('A');
    expect(pooled.metrics.overall.count).toBe(run.metrics.overall.count + other.metrics.overall.count);
    expect(pooled.histograms.length).toBe(run.histograms.length + other.histograms.length);
    const seconds = run.metrics.overall.durationS + other.metrics.overall.durationS;
    expect(pooled.metrics.overall.throughputRps).toBeCloseTo(pooled.metrics.overall.ok / seconds, 6);
    const [low, high] = pooled.metrics.overall.throughputCi ?? [0, 0];
    expect(low).toBeLessThan(pooled.metrics.overall.throughputRps);
    expect(high).toBeGreaterThan(pooled.metrics.overall.throughputRps);
    expect(pooled.slos).toEqual([]);
    expect(pooled.notes[0]).toMatch(/2 runs pooled .* SLO verdicts are per run/);
  });
});
