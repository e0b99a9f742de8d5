import type { FaultSpec } from '../experiment/experiment-schema.js';
import type { InjectedFault } from '../faults/inject-fault.js';
import type { MeasuredRequest } from '../measure/measured-request.js';
import type { SamplesReader } from '../measure/samples-reader.js';
import type { SloWindow } from '../measure/slo-window.js';
import type { ExperimentResult, ExperimentStatus, RunningLoad } from '../run-experiment.js';

export interface Scheduled {
  spec: FaultSpec;
  injection: Promise<InjectedFault | undefined>;
  reverting?: Promise<void>;
}

/** What happened during one run, written by the steps in order and read by measure and judge. */
export class RunRecord {
  status: ExperimentStatus = 'completed';
  steadyState: SloWindow | null = null;
  abort: ExperimentResult['abort'];
  error: string | undefined;
  load: RunningLoad | undefined;
  reader: SamplesReader | undefined;
  loadDone = false;
  loadStartMs: number;
  loadStoppedAt: number | undefined;
  readonly requests: MeasuredRequest[] = [];
  /** The requests the abort rules still look at. */
  recent: MeasuredRequest[] = [];
  readonly scheduled = new Map<string, Scheduled>();
  readonly rollbackErrors: string[] = [];
  readonly sweeps: string[] = [];

  constructor(readonly startedAt: number) {
    this.loadStartMs = startedAt;
  }

  take(batch: MeasuredRequest[]): void {
    for (const r of batch) {
      this.requests.push(r);
      this.recent.push(r);
    }
  }

  loadEnded(at: number): void {
    this.loadDone = true;
    this.loadStoppedAt ??= at;
  }
}
