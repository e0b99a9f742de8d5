import { describe, expect, it } from 'vitest';
import { exampleRun } from '../testing/example-run.js';
import { compareRuns, hasRegression } from './compare-runs.js';
import { renderComparisonMarkdown } from './render-comparison.js';

const base = exampleRun({ samples: 12_000, seed: 21, runId: 'base' });
const same = exampleRun({ samples: 12_000, seed: 22, runId: 'same' });
const slower = exampleRun({ samples: 12_000, seed: 23, latencyScale: 1.3, runId: 'slower' });

describe('compareRuns', () => {
  it('flags a planted 30 % slowdown as a regression on every latency percentile', () => {
    const comparison = compareRuns(base, slower, { tolerance: 0.1 });
    expect(comparison.hasRegression).toBe(true);
    expect(hasRegression(comparison)).toBe(true);
    const latency = comparison.comparisons.filter((c) => c.unit === 'ms' && c.endpoint === 'all');
    expect(latency.map((c) => `${c.stat} ${c.metric}: ${c.verdict}`)).toEqual([
      'p50 e2e: regression',
      'p95 e2e: regression',
      'p99 e2e: regression',
      'p50 ttft: regression',
      'p95 ttft: regression',
      'p99 ttft: regression',
      'p50 itl: regression',
      'p95 itl: regression',
      'p99 itl: regression',
    ]);
    const p50 = latency[0];
    expect(p50?.relativeChange).toBeGreaterThan(0.2);
    expect(p50?.relativeChange).toBeLessThan(0.4);
    // Throughput and error rate did not change.
    expect(
      comparison.comparisons.filter((c) => c.unit !== 'ms').every((c) => c.verdict !== 'regression'),
    ).toBe(true);
  });

  it('calls the reverse an improvement', () => {
    const comparison = compareRuns(slower, base);
    expect(comparison.hasRegression).toBe(false);
    expect(comparison.improvements).toBeGreaterThan(10);
  });

  it('does not flag two runs of the same distribution', () => {
    const comparison = compareRuns(base, same, { tolerance: 0.1 });
    expect(comparison.comparisons.filter((c) => c.verdict === 'regression')).toEqual([]);
    expect(comparison.hasRegression).toBe(false);
    expect(
      compareRuns(base, base).comparisons.every(
        (c) => c.relativeChange === 0 || c.verdict === 'not comparable',
      ),
    ).toBe(true);
  });

  it('does not flag a real but small change that stays within the tolerance', () => {
    const fivePercent = exampleRun({ samples: 12_000, seed: 24, latencyScale: 1.05 });
    expect(compareRuns(base, fivePercent, { tolerance: 0.1 }).hasRegression).toBe(false);
    // With no tolerance the same data is a regression somewhere: the test has power.
    expect(compareRuns(base, slower, { tolerance: 0 }).hasRegression).toBe(true);
  });

  it('renders Markdown with the regressions first', () => {
    const md = renderComparisonMarkdown(compareRuns(base, slower));
    expect(md).toMatch(/^## Gauntlet compare: REGRESSION\n/);
    expect(md).toMatch(
      /\| Verdict \| Endpoint \| Metric \| Base \(95% CI\) \| New \(95% CI\) \| Change \| Why \|\n\|---\|---\|---\|---:\|---:\|---:\|---\|\n\| REGRESSION \| /,
    );
    expect(md).not.toMatch(/\p{Extended_Pictographic}/u);
  });
});
