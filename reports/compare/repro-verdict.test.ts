import { describe, expect, it } from 'vitest';
import type { RunResult } from '../run-result.js';
import { loadDefaultSlos } from '../slo/load-slos.js';
import { exampleRun } from '../testing/example-run.js';
import { maxHostDelayMs, reproVerdict } from './repro-verdict.js';

const original = exampleRun({ samples: 24_000, seed: 31, runId: 'original' });
const rerun = exampleRun({ samples: 24_000, seed: 32, runId: 'rerun' });
const slower = exampleRun({ samples: 12_000, seed: 33, latencyScale: 1.5, runId: 'slower' });

function withHostDelay(run: RunResult, delayMs: number): RunResult {
  const series = {
    component: 'gateway',
    gauge: 'event_loop_delay_max',
    unit: 'ms',
    points: [
      // After the warm-up (the first 10 % of the example run): a busy host during warm-up excuses nothing.
      [30, 4],
      [31, delayMs],
    ] as Array<[number, number]>,
  };
  return { ...run, serverMetrics: { ...run.serverMetrics, series: [...run.serverMetrics.series, series] } };
}

function withSloVerdict(
  run: RunResult,
  id: string,
  verdict: RunResult['slos'][number]['verdict'],
): RunResult {
  return { ...run, slos: run.slos.map((s) => (s.id === id ? { ...s, verdict } : s)) };
}

describe('reproVerdict', () => {
  it('calls two runs of the same distribution reproduced, with the body resolved within the tolerance', () => {
    const verdict = reproVerdict(original, rerun);
    expect(verdict.outcome, verdict.reasons.join('\n')).toBe('reproduced');
    expect(verdict.differences).toEqual([]);
    expect(verdict.resolution.every((r) => r.resolved && (r.hidden ?? 1) <= 0.1)).toBe(true);
    expect(verdict.reasons[0]).toMatch(/p50 e2e \(infer\) is resolved to \d/);
  });

  it('calls a 50 % slower rerun not reproduced, naming the statistics that moved', () => {
    const verdict = reproVerdict(original, slower);
    expect(verdict.outcome).toBe('not reproduced');
    const moved = verdict.differences.map((c) => `${c.stat} ${c.metric} ${c.endpoint}`);
    expect(moved).toContain('p50 e2e all');
    expect(verdict.reasons[0]).toMatch(/worse in the rerun/);
    // And a faster one (the original was the slow run) too: any significant change counts.
    expect(reproVerdict(slower, original).outcome).toBe('not reproduced');
  });

  it('is inconclusive for runs too small to resolve the distribution, and says a longer run would decide', () => {
    const small = exampleRun({ samples: 150, seed: 41 });
    const smallRerun = exampleRun({ samples: 150, seed: 42 });
    const verdict = reproVerdict(small, smallRerun);
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.reasons.join('\n')).toMatch(/could hide a change of|too few samples/);
  });

  it('is not reproduced when an SLO flipped between pass and fail, inconclusive when one became inconclusive', () => {
    const id = original.slos.find((s) => s.verdict === 'pass')?.id ?? '';
    expect(id).not.toBe('');
    const flipped = reproVerdict(original, withSloVerdict(rerun, id, 'fail'));
    expect(flipped.outcome).toBe('not reproduced');
    expect(flipped.sloChanges).toEqual([{ id, original: 'pass', rerun: 'fail', decisive: true }]);
    expect(flipped.reasons.join('\n')).toMatch(new RegExp(`SLO ${id}: pass originally, fail in the rerun`));
    const weak = reproVerdict(original, withSloVerdict(rerun, id, 'inconclusive'));
    expect(weak.outcome).toBe('inconclusive');
  });

  it('does not count a slowdown that what a late original did not measure could explain', () => {
    // Without the achieved-rate SLO, which the dropped iterations alone fail.
    const slos = loadDefaultSlos().filter((s) => s.metric !== 'achieved_rate');
    const slowerToo = exampleRun({ samples: 12_000, seed: 33, latencyScale: 1.5, slos });
    // As many iterations dropped as sent: the unmeasured half could hold any latency.
    const halfDropped = exampleRun({ samples: 12_000, seed: 31, droppedIterations: 12_000, slos });
    expect(halfDropped.collection.loadGeneratorBehind).not.toBeNull();
    const verdict = reproVerdict(halfDropped, slowerToo);
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.reasons.join('\n')).toMatch(
      /generator fell behind, so its latency is a lower bound: nothing bounds it/,
    );
    // 5 % dropped moves the original's p50 to at most its p52.5: far from a 50 % slowdown.
    const fewDropped = exampleRun({ samples: 12_000, seed: 31, droppedIterations: 600, slos });
    const few = reproVerdict(fewDropped, slowerToo);
    expect(few.outcome).toBe('not reproduced');
    expect(few.differences.map((c) => `${c.stat} ${c.metric} ${c.endpoint}`)).toContain('p50 e2e infer');
    // Its p99 is unbounded (p99 x 1.05 > 1), so that difference does not count.
    expect(few.reasons.join('\n')).toMatch(/p99 e2e \(infer\).*nothing bounds it/);
    // A late run that looks slower is a real difference: its lower bound already exceeds the other run.
    const lateAndSlow = exampleRun({
      samples: 12_000,
      seed: 34,
      latencyScale: 1.5,
      droppedIterations: 12_000,
      slos,
    });
    expect(reproVerdict(lateAndSlow, exampleRun({ samples: 12_000, seed: 35, slos })).outcome).toBe(
      'not reproduced',
    );
  });

  it('does not count a slowdown smaller than the event-loop delay of an overloaded host in the slower run', () => {
    expect(maxHostDelayMs(withHostDelay(slower, 250))).toBe(250);
    const busy = reproVerdict(original, withHostDelay(slower, 60_000));
    expect(busy.outcome).toBe('inconclusive');
    expect(busy.reasons.join('\n')).toMatch(/host was busy/);
    // A delay under the overload bound excuses nothing.
    expect(reproVerdict(original, withHostDelay(slower, 50)).outcome).toBe('not reproduced');
  });

  it('is inconclusive when either run is incomplete', () => {
    const verdict = reproVerdict(original, { ...rerun, complete: false });
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.reasons).toContain('the rerun run is incomplete (it was aborted)');
  });
});
