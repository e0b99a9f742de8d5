import type { WorkerRecord } from '../protocol/registry-keys.js';
import type { RecordSource } from '../runtime/registry-view.js';

/** This batcher's view of one worker: its registry record plus local load and health. */
export interface WorkerState {
  readonly id: string;
  record: WorkerRecord;
  /** Where batches go: origin and path prefix, parsed once per record. */
  origin: string;
  basePath: string;
  /** False once the record left the registry; kept until its in-flight batches end. */
  registered: boolean;
  inFlight: number;
  consecutiveFailures: number;
  ejectedAtMs: number | undefined;
  ejectedUntilMs: number | undefined;
  ejectCause: string | undefined;
  ejectTimer: NodeJS.Timeout | undefined;
}

export interface WorkerSetOptions {
  /** Sequences this batcher keeps in flight on one worker (max_batch_size). */
  slotsPerWorker: number;
  ejectAfterFailures: number;
  ejectMs: number;
  log: (message: string) => void;
  /** Anything routing depends on changed: records, ejections. */
  onChange: () => void;
  onEject: (workerId: string) => void;
  /** A planted defect (stack/README.md): never eject; a dead worker stays until its record leaves. */
  neverEject?: boolean;
  /** A worker whose record had left the registry has a record again (a restart, seen from here). */
  onReturn?: (workerId: string) => void;
}

/**
 * The live worker set: registry records, local ejection after connection-level failures (outlier
 * detection), and the least-loaded choice among the rest.
 */
export class WorkerSet {
  private readonly workers = new Map<string, WorkerState>();
  /** Ids whose record left the registry, until one comes back. */
  private readonly departed = new Set<string>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: WorkerSetOptions) {}

  attach(source: RecordSource<WorkerRecord>): void {
    this.unsubscribe = source.onChange(() => this.sync(source.values()));
    this.sync(source.values());
  }

  close(): void {
    this.unsubscribe?.();
    for (const worker of this.workers.values()) clearTimeout(worker.ejectTimer);
  }

  all(): IterableIterator<WorkerState> {
    return this.workers.values();
  }

  isLive(worker: WorkerState): boolean {
    return worker.registered && worker.record.state === 'ready' && worker.ejectedUntilMs === undefined;
  }

  freeSlots(worker: WorkerState): number {
    const limit = Math.max(
      1,
      Math.min(this.options.slotsPerWorker, worker.record.maxRunningSeqs || Infinity),
    );
    return Math.max(0, limit - worker.inFlight);
  }

  liveCount(): number {
    let count = 0;
    for (const worker of this.workers.values()) if (this.isLive(worker)) count++;
    return count;
  }

  inFlightTotal(): number {
    let total = 0;
    for (const worker of this.workers.values()) total += worker.inFlight;
    return total;
  }

  /**
   * The live worker with the most free slots (ties: fewest in flight, then id), skipping `avoid` (workers
   * that already failed this request) unless no other worker has room.
   */
  pick(avoid: readonly string[] | undefined): WorkerState | undefined {
    let best: WorkerState | undefined;
    let bestAvoided: WorkerState | undefined;
    for (const worker of this.workers.values()) {
      if (!this.isLive(worker) || this.freeSlots(worker) === 0) continue;
      if (avoid?.includes(worker.id)) {
        if (!bestAvoided || this.better(worker, bestAvoided)) bestAvoided = worker;
      } else if (!best || this.better(worker, best)) {
        best = worker;
      }
    }
    return best ?? bestAvoided;
  }

  /** Whether a live worker other than `worker`, and not in `avoid`, has a free slot now. */
  hasAlternative(worker: WorkerState, avoid: readonly string[]): boolean {
    for (const other of this.workers.values()) {
      if (other === worker || avoid.includes(other.id)) continue;
      if (this.isLive(other) && this.freeSlots(other) > 0) return true;
    }
    return false;
  }

  acquire(worker: WorkerState, count: number): void {
    worker.inFlight += count;
  }

  release(worker: WorkerState, count: number): void {
    worker.inFlight = Math.max(0, worker.inFlight - count);
    if (!worker.registered && worker.inFlight === 0 && this.workers.get(worker.id) === worker) {
      clearTimeout(worker.ejectTimer);
      this.workers.delete(worker.id);
    }
  }

  /** The worker answered: its consecutive failure count starts again. */
  recordSuccess(worker: WorkerState): void {
    worker.consecutiveFailures = 0;
  }

  /** A connection-level failure or a first-token timeout; enough of them in a row eject the worker. */
  recordFailure(worker: WorkerState, cause: string): void {
    if (worker.ejectedUntilMs !== undefined || this.options.neverEject) return;
    worker.consecutiveFailures++;
    if (worker.consecutiveFailures < this.options.ejectAfterFailures) return;
    const { ejectMs } = this.options;
    const failures = worker.consecutiveFailures;
    worker.consecutiveFailures = 0;
    worker.ejectedAtMs = Date.now();
    worker.ejectedUntilMs = worker.ejectedAtMs + ejectMs;
    worker.ejectCause = cause;
    worker.ejectTimer = setTimeout(() => {
      worker.ejectTimer = undefined;
      this.readmit(worker, 'eject time passed');
    }, ejectMs);
    this.options.log(
      `worker ${worker.id} ejected for ${ejectMs} ms after ${failures} consecutive failure(s): ${cause}`,
    );
    this.options.onEject(worker.id);
    this.options.onChange();
  }

  private readmit(worker: WorkerState, why: string): void {
    if (worker.ejectedUntilMs === undefined) return;
    clearTimeout(worker.ejectTimer);
    worker.ejectTimer = undefined;
    worker.ejectedAtMs = undefined;
    worker.ejectedUntilMs = undefined;
    worker.ejectCause = undefined;
    this.options.log(`worker ${worker.id} back in rotation (${why})`);
    this.options.onChange();
  }

  private better(a: WorkerState, b: WorkerState): boolean {
    const freeA = this.freeSlots(a);
    const freeB = this.freeSlots(b);
    if (freeA !== freeB) return freeA > freeB;
    if (a.inFlight !== b.inFlight) return a.inFlight < b.inFlight;
    return a.id < b.id;
  }

  private sync(records: readonly WorkerRecord[]): void {
    const seen = new Set<string>();
    for (const record of records) {
      if (typeof record?.id !== 'string' || typeof record.url !== 'string') continue;
      const target = parseTarget(record.url);
      if (!target) continue;
      seen.add(record.id);
      if (this.departed.delete(record.id)) this.options.onReturn?.(record.id);
      const existing = this.workers.get(record.id);
      if (!existing) {
        this.workers.set(record.id, {
          id: record.id,
          record,
          ...target,
          registered: true,
          inFlight: 0,
          consecutiveFailures: 0,
          ejectedAtMs: undefined,
          ejectedUntilMs: undefined,
          ejectCause: undefined,
          ejectTimer: undefined,
        });
        continue;
      }
      // A new process (or the same one registering again after its lease was lost) deserves a fresh start.
      const reborn =
        !existing.registered ||
        existing.record.startedAt !== record.startedAt ||
        existing.record.url !== record.url;
      existing.record = record;
      existing.origin = target.origin;
      existing.basePath = target.basePath;
      existing.registered = true;
      if (reborn) {
        existing.consecutiveFailures = 0;
        this.readmit(existing, 'registry record changed');
      }
    }
    for (const worker of this.workers.values()) {
      if (seen.has(worker.id) || !worker.registered) continue;
      worker.registered = false;
      this.departed.add(worker.id);
      if (worker.inFlight === 0) {
        clearTimeout(worker.ejectTimer);
        this.workers.delete(worker.id);
      }
    }
    this.options.onChange();
  }
}

function parseTarget(url: string): { origin: string; basePath: string } | undefined {
  try {
    const parsed = new URL(url);
    return { origin: parsed.origin, basePath: parsed.pathname.replace(/\/+$/, '') };
  } catch {
    return undefined;
  }
}
