import type { BatchItem, WorkerErrorCode } from '../../protocol/worker-api.js';
import type { BatchHandle, BatchSink, SchedulerStatus } from '../scheduler.js';

/**
 * What runs a worker's batches: the simulated GPU's Scheduler, or an adapter in front of a real engine
 * (OpenAiEngine). The worker's HTTP surface, faults, drain and metrics are the same for both.
 */
export interface WorkerEngine {
  /** Admits a batch; refused items get their `err` line at once, and the sink ends when every item settled. */
  submit(items: readonly BatchItem[], sink: BatchSink): BatchHandle;
  status(): SchedulerStatus;
  /** Stops admitting; resolves once nothing is in flight. */
  drain(): Promise<void>;
  /** Fails every sequence in flight with this code (a drain that ran out of time). */
  failAll(code: WorkerErrorCode, message: string): void;
  close(): void;
}
