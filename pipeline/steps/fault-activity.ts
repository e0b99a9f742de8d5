import type { JournalEntry } from '../../chaos/faults/fault-journal.js';
import type { FaultActivity } from '../../runner/prometheus/harness-exporter.js';

/**
 * What the harness exporter says of each journaled fault, one row per target: in force from the moment
 * the injection started until its rollback finished without error. A rollback that failed leaves the fault
 * in force as far as anyone knows (the audit says what was left), so it stays 1. An injection that failed
 * part-way was rolled back at once by the fault API, and reads 0 from then on.
 */
export function faultActivity(entries: readonly JournalEntry[]): FaultActivity[] {
  return entries.flatMap((entry) => {
    const active = entry.revertedAt === undefined || entry.revertError !== undefined;
    return entry.targets.map((target) => ({ faultId: entry.faultId, action: entry.action, target, active }));
  });
}
