import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/random/prng.js';
import { FaultState } from './fault-state.js';
import { WorkerDefects } from './planted-defects.js';

const off = { worker_never_answers_share: 0, worker_slowdown_after_fault: 1 };

function draws(defects: WorkerDefects, n: number): number {
  let swallowed = 0;
  for (let i = 0; i < n; i++) if (defects.neverAnswers()) swallowed++;
  return swallowed;
}

describe('WorkerDefects', () => {
  it('does nothing with every switch off, whatever happens', () => {
    const faults = new FaultState();
    const defects = new WorkerDefects(off, mulberry32(1));
    defects.watch(faults);
    defects.noteRestart();
    faults.merge({ slowdown: 10 });
    faults.clear();
    expect(defects.anyOn).toBe(false);
    expect(defects.slowdown()).toBe(1);
    expect(draws(defects, 1_000)).toBe(0);
  });

  it('never answers its share of sequences only once the process is a restart', () => {
    const defects = new WorkerDefects({ ...off, worker_never_answers_share: 0.2 }, mulberry32(7));
    expect(defects.anyOn).toBe(true);
    expect(draws(defects, 1_000)).toBe(0);
    defects.noteRestart();
    const swallowed = draws(defects, 10_000);
    expect(swallowed).toBeGreaterThan(1_850);
    expect(swallowed).toBeLessThan(2_150);
  });

  it('slows the steps down once a GPU fault is cleared, not while it is set, and for good', () => {
    const faults = new FaultState();
    const lines: string[] = [];
    const defects = new WorkerDefects({ ...off, worker_slowdown_after_fault: 2 }, mulberry32(1), (line) =>
      lines.push(line),
    );
    defects.watch(faults);
    faults.clear(); // healthy to healthy is no recovery
    expect(defects.slowdown()).toBe(1);
    faults.merge({ oom: true });
    expect(defects.slowdown()).toBe(1);
    faults.merge({ oom: false });
    expect(defects.slowdown()).toBe(2);
    faults.merge({ slowdown: 10 });
    faults.merge({ slowdown: 1 });
    expect(defects.slowdown()).toBe(2);
    expect(lines).toEqual(['defect armed (GPU fault cleared): every step 2x slower from now on']);
    // The admin API still reports a healthy GPU: the audit must not be what catches this defect.
    expect(faults.snapshot()).toEqual({ slowdown: 1, errorRate: 0, hang: false, oom: false });
  });

  it('does not arm the slowdown on a restart, nor never-answering on a cleared fault', () => {
    const faults = new FaultState();
    const defects = new WorkerDefects(
      { worker_never_answers_share: 1, worker_slowdown_after_fault: 3 },
      mulberry32(1),
    );
    defects.watch(faults);
    faults.merge({ errorRate: 0.5 });
    faults.clear();
    expect(defects.neverAnswers()).toBe(false);
    const other = new WorkerDefects(
      { worker_never_answers_share: 1, worker_slowdown_after_fault: 3 },
      mulberry32(1),
    );
    other.noteRestart();
    expect(other.slowdown()).toBe(1);
    expect(other.neverAnswers()).toBe(true);
  });
});
