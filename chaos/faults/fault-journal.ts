import { type Clock, systemClock } from '../clock.js';

/** One injected fault as it happened. Times are Unix ms. */
export interface JournalEntry {
  faultId: string;
  action: string;
  /** Component ids (node faults: every component on the node; link faults: the destinations). */
  targets: string[];
  /** When the injection started: the signal sent, the toxic posted. */
  injectedAt: number;
  /** When the injection was confirmed (a freeze waits for the kernel to stop the process). */
  confirmedAt?: number;
  injectError?: string;
  revertStartedAt?: number;
  revertedAt?: number;
  revertError?: string;
  detail?: Record<string, unknown>;
}

/** Things done outside a fault: sweeps, aborts, steady-state results. */
export interface JournalNote {
  t: number;
  kind: 'sweep' | 'abort' | 'steady-state' | 'note';
  message: string;
}

/** The record of every fault an experiment injected and every rollback it ran, for the report. */
export class FaultJournal {
  private readonly faults: JournalEntry[] = [];
  private readonly notesList: JournalNote[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  begin(faultId: string, action: string, targets: string[], detail?: Record<string, unknown>): JournalEntry {
    const entry: JournalEntry = {
      faultId,
      action,
      targets,
      injectedAt: this.clock.now(),
      ...(detail ? { detail } : {}),
    };
    this.faults.push(entry);
    return entry;
  }

  confirmed(entry: JournalEntry): void {
    entry.confirmedAt = this.clock.now();
  }

  injectFailed(entry: JournalEntry, error: Error): void {
    entry.injectError = error.message;
  }

  revertStarted(entry: JournalEntry): void {
    entry.revertStartedAt = this.clock.now();
  }

  reverted(entry: JournalEntry, error: Error | undefined): void {
    entry.revertedAt = this.clock.now();
    if (error) entry.revertError = error.message;
  }

  note(kind: JournalNote['kind'], message: string): void {
    this.notesList.push({ t: this.clock.now(), kind, message });
  }

  entries(): readonly JournalEntry[] {
    return this.faults;
  }

  entry(faultId: string): JournalEntry | undefined {
    return this.faults.find((e) => e.faultId === faultId);
  }

  notes(): readonly JournalNote[] {
    return this.notesList;
  }

  toJSON(): { faults: JournalEntry[]; notes: JournalNote[] } {
    return { faults: this.faults.map((e) => ({ ...e })), notes: [...this.notesList] };
  }
}
