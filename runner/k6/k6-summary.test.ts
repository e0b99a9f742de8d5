import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseK6Summary, readK6Summary } from './k6-summary.js';

// Trimmed from a real `k6 run --summary-export` of scenarios/load.ts (k6 v1.8.1).
const exported = {
  setup_data: { model: 'known' },
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: {}, checks: {} },
  metrics: {
    iterations: { count: 251, rate: 49.17690597393818 },
    dropped_iterations: { count: 3, rate: 0.6 },
    vus_max: { min: 14, max: 14, value: 14 },
    http_reqs: { rate: 27.23342601743987, count: 139 },
    gauntlet_schedule_lag_ms: {
      count: 250,
      avg: 1.385669921875,
      min: 0.14111328125,
      med: 0.843505859375,
      max: 36.283935546875,
      'p(90)': 1.65,
      'p(95)': 3.63,
      'p(99)': 17.17,
    },
    gauntlet_errors: { passes: 0, fails: 251, value: 0, thresholds: { 'rate<0.01': false } },
    'gauntlet_e2e_ms{phase:steady}': {
      'p(90)': 101.52,
      'p(95)': 102.175,
      'p(99)': 110.825,
      count: 251,
      avg: 73.44,
      min: 49.11,
      med: 51.55,
      max: 121.26,
      thresholds: { 'p(99)<30000': false, 'p(99)<50': true },
    },
  },
};

describe('parseK6Summary', () => {
  it('reads counts, trends and thresholds (true in the export means failed)', () => {
    const summary = parseK6Summary(JSON.stringify(exported));
    expect(summary).toMatchObject({ iterations: 251, droppedIterations: 3, httpReqs: 139, vusMax: 14 });
    expect(summary.scheduleLagMs).toEqual({
      avg: 1.385669921875,
      min: 0.14111328125,
      med: 0.843505859375,
      max: 36.283935546875,
      p90: 1.65,
      p95: 3.63,
      p99: 17.17,
      count: 250,
    });
    expect(summary.trends['gauntlet_e2e_ms{phase:steady}']?.p99).toBe(110.825);
    expect(summary.thresholds).toEqual([
      { metric: 'gauntlet_errors', expression: 'rate<0.01', ok: true },
      { metric: 'gauntlet_e2e_ms{phase:steady}', expression: 'p(99)<30000', ok: true },
      { metric: 'gauntlet_e2e_ms{phase:steady}', expression: 'p(99)<50', ok: false },
    ]);
  });

  it('counts a metric that never got a sample as 0', () => {
    const summary = parseK6Summary(JSON.stringify({ metrics: { iterations: { count: 5, rate: 1 } } }));
    expect(summary).toMatchObject({ iterations: 5, droppedIterations: 0, httpReqs: 0, vusMax: 0 });
    expect(summary.scheduleLagMs).toBeUndefined();
  });
});

describe('readK6Summary', () => {
  it('is undefined for a missing or half-written file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gauntlet-summary-'));
    try {
      expect(await readK6Summary(join(dir, 'missing.json'))).toBeUndefined();
      await writeFile(join(dir, 'half.json'), '{"metrics": {"iterations": {"cou');
      expect(await readK6Summary(join(dir, 'half.json'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
