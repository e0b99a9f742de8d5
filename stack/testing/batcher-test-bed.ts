import {
  type BatcherConfigInput,
  type BatcherServer,
  type BatcherServerOptions,
  startBatcherServer,
} from '../batcher/batcher-server.js';
import type { WorkerRecord } from '../protocol/registry-keys.js';
import { StaticRecordSource } from '../runtime/registry-view.js';
import { type FakeWorker, type FakeWorkerOptions, startFakeWorker } from './fake-worker.js';

export interface BatcherTestBed {
  batcher: BatcherServer;
  workers: FakeWorker[];
  source: StaticRecordSource<WorkerRecord>;
  logs: string[];
  close(): Promise<void>;
}

/** A batcher on 127.0.0.1 in front of fake workers, for tests; close() stops everything it started. */
export async function startTestBed(options: {
  config?: BatcherConfigInput;
  workers?: FakeWorkerOptions[];
  extraRecords?: WorkerRecord[];
  noWorkersGraceMs?: number;
  defects?: BatcherServerOptions['defects'];
}): Promise<BatcherTestBed> {
  const workers = await Promise.all((options.workers ?? []).map((worker) => startFakeWorker(worker)));
  const source = new StaticRecordSource<WorkerRecord>([
    ...workers.map((worker) => worker.record()),
    ...(options.extraRecords ?? []),
  ]);
  const logs: string[] = [];
  const batcher = await startBatcherServer({
    id: 'b-test',
    config: options.config ?? {},
    workers: source,
    noWorkersGraceMs: options.noWorkersGraceMs ?? 1_000,
    ...(options.defects ? { defects: options.defects } : {}),
    log: (message) => logs.push(message),
  });
  return {
    batcher,
    workers,
    source,
    logs,
    close: async () => {
      await batcher.close();
      await Promise.all(workers.map((worker) => worker.close()));
    },
  };
}

/** Waits for a condition with a bounded number of short checks; fails with `what` when it never holds. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
