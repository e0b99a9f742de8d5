import { describe, expect, it } from 'vitest';
import { FaultJournal } from '../../chaos/faults/fault-journal.js';
import { faultActivity } from './fault-activity.js';

function journalAt(times: number[]): FaultJournal {
  const queue = [...times];
  return new FaultJournal({ now: () => queue.shift() ?? 0, sleep: async () => {} });
}

describe('faultActivity', () => {
  it('is in force from injection until the rollback finished, one row per target', () => {
    const journal = journalAt([1_000, 1_100, 5_000, 5_200]);
    const entry = journal.begin('kill-worker', 'kill', ['worker-a-0', 'worker-a-1']);
    journal.confirmed(entry);
    expect(faultActivity(journal.entries())).toEqual([
      { faultId: 'kill-worker', action: 'kill', target: 'worker-a-0', active: true },
      { faultId: 'kill-worker', action: 'kill', target: 'worker-a-1', active: true },
    ]);
    journal.revertStarted(entry);
    // Still in force while the rollback runs.
    expect(faultActivity(journal.entries()).every((f) => f.active)).toBe(true);
    journal.reverted(entry, undefined);
    expect(faultActivity(journal.entries()).map((f) => f.active)).toEqual([false, false]);
  });

  it('stays in force when the rollback failed, and reads 0 after a failed injection was undone', () => {
    const journal = journalAt([1, 2, 3, 4, 5, 6]);
    const stuck = journal.begin('freeze', 'freeze', ['worker-a-0']);
    journal.revertStarted(stuck);
    journal.reverted(stuck, new Error('thaw failed'));
    const failed = journal.begin('slow', 'gpu-slowdown', ['worker-a-1']);
    journal.injectFailed(failed, new Error('admin API refused'));
    journal.revertStarted(failed);
    journal.reverted(failed, undefined);
    expect(faultActivity(journal.entries()).map((f) => [f.faultId, f.active])).toEqual([
      ['freeze', true],
      ['slow', false],
    ]);
  });

  it('has no row for a fault that never got a target', () => {
    const journal = journalAt([1]);
    journal.injectFailed(journal.begin('kill-leader', 'kill', []), new Error('no etcd leader'));
    expect(faultActivity(journal.entries())).toEqual([]);
  });
});
