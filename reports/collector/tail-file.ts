import { type FileHandle, open } from 'node:fs/promises';

/** What tailFile feeds: SampleCollector has both. */
export interface ChunkSink {
  ingestChunk(chunk: Uint8Array): void;
  flush(): void;
}

export interface TailOptions {
  /** How often to look for appended bytes (default 200 ms). */
  intervalMs?: number;
  /** Read size (default 1 MiB). */
  chunkBytes?: number;
  /** Reads per poll before yielding to the event loop (default 64, i.e. 64 MiB a poll). */
  maxReadsPerPoll?: number;
}

const DEFAULTS: Required<TailOptions> = { intervalMs: 200, chunkBytes: 1 << 20, maxReadsPerPoll: 64 };

export interface FileTail extends AsyncDisposable {
  /** Bytes read so far. */
  readonly bytesRead: number;
  /** Stops polling, reads everything up to the current end of the file (a last partial line included). */
  close(): Promise<void>;
}

/**
 * Follows a growing NDJSON file: polls with fs read at the last offset (no external tail, no fs.watch,
 * which misses appends on some filesystems) and hands each new chunk to the sink, which keeps partial lines.
 * A file that does not exist yet is waited for. A read error stops the polling and is thrown by close().
 */
export function tailFile(path: string, sink: ChunkSink, options: TailOptions = {}): FileTail {
  const opts = { ...DEFAULTS, ...options };
  for (const key of ['intervalMs', 'chunkBytes', 'maxReadsPerPoll'] as const) {
    if (!Number.isInteger(opts[key]) || opts[key] <= 0) {
      throw new RangeError(`${key} must be a positive integer (got ${opts[key]})`);
    }
  }
  const buffer = Buffer.allocUnsafe(opts.chunkBytes);
  let handle: FileHandle | undefined;
  let offset = 0;
  let stopped = false;
  let failure: unknown;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;

  const ensureOpen = async (): Promise<boolean> => {
    if (handle) return true;
    try {
      handle = await open(path, 'r');
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  };

  /** Reads until the end of the file or `maxReads` reads. */
  const readAvailable = async (maxReads: number): Promise<void> => {
    if (!(await ensureOpen()) || !handle) return;
    for (let i = 0; i < maxReads; i++) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      sink.ingestChunk(buffer.subarray(0, bytesRead));
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      inFlight = readAvailable(opts.maxReadsPerPoll).then(schedule, (error: unknown) => {
        failure = error;
        stopped = true;
      });
    }, opts.intervalMs);
  };
  schedule();

  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inFlight;
      try {
        // Bounded: a writer still appending fast would otherwise keep close() reading forever.
        if (failure === undefined) await readAvailable(1 << 16);
        sink.flush();
      } finally {
        await handle?.close();
        handle = undefined;
      }
      if (failure !== undefined) throw failure;
    })();
    return closing;
  };

  return {
    get bytesRead() {
      return offset;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
