import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { WorkerRecord } from '../protocol/registry-keys.js';
import { tokenStream } from '../protocol/tokens.js';
import type { BatchRequest, WorkerErrorCode } from '../protocol/worker-api.js';

/**
 * A stand-in worker for the batcher's tests: speaks `POST /v1/batch` (stack/protocol/worker-api.ts) with
 * fixed delays and scripted failures. Not the simulated A100 worker (stack/worker/); no latency model.
 */
export type FakeWorkerBehavior =
  | { kind: 'normal' }
  /** Reads the batch, then destroys the connection without answering. */
  | { kind: 'close-before-first-token' }
  /** Streams `steps` steps, then destroys the connection. */
  | { kind: 'cut-after'; steps: number }
  /** Sends the 200 head and nothing else. */
  | { kind: 'hang' }
  | { kind: 'status'; status: number }
  /** Answers every item with an `err` line before any token. */
  | { kind: 'err'; code: WorkerErrorCode }
  /** Ends the stream cleanly without any done line. */
  | { kind: 'end-without-done' };

export interface FakeWorkerOptions {
  id: string;
  stepMs?: number;
  /** Extra delay before the first step (prefill). */
  firstTokenDelayMs?: number;
  behavior?: FakeWorkerBehavior;
}

export interface FakeWorker {
  readonly id: string;
  readonly url: string;
  /** Every batch received, in order. */
  readonly batches: BatchRequest[];
  behavior: FakeWorkerBehavior;
  record(overrides?: Partial<WorkerRecord>): WorkerRecord;
  /** Batches whose connection the batcher closed before the worker finished. */
  abortedBatches(): number;
  close(): Promise<void>;
}

export async function startFakeWorker(options: FakeWorkerOptions): Promise<FakeWorker> {
  const stepMs = options.stepMs ?? 5;
  const firstTokenDelayMs = options.firstTokenDelayMs ?? 0;
  const batches: BatchRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const startedAt = Date.now();
  let aborted = 0;

  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
    return timer;
  };

  function run(batch: BatchRequest, res: ServerResponse, behavior: FakeWorkerBehavior): void {
    let timer: NodeJS.Timeout | undefined;
    res.once('close', () => {
      clearTimeout(timer);
      if (timer) timers.delete(timer);
      if (!res.writableFinished) aborted++;
    });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    if (behavior.kind === 'hang') {
      res.flushHeaders();
      return;
    }
    if (behavior.kind === 'end-without-done') {
      res.end();
      return;
    }
    if (behavior.kind === 'err') {
      const lines = batch.items.map((item) =>
        JSON.stringify({ t: 'err', id: item.id, code: behavior.code, message: 'scripted failure' }),
      );
      res.end(`${lines.join('\n')}\n`);
      return;
    }
    const items = batch.items.map((item) => {
      // Honour request migration like the real worker: continue the deterministic stream at resumeFrom.
      const next = tokenStream(item.seed);
      for (let i = 0; i < (item.resumeFrom ?? 0); i++) next();
      return { item, next, produced: item.resumeFrom ?? 0 };
    });
    let steps = 0;
    const step = () => {
      if (behavior.kind === 'cut-after' && steps >= behavior.steps) {
        res.socket?.destroy();
        return;
      }
      steps++;
      const tokens: Array<[string, number]> = [];
      let out = '';
      for (const entry of items) {
        if (entry.produced >= entry.item.maxTokens) continue;
        tokens.push([entry.item.id, entry.next()]);
        entry.produced++;
      }
      out += `${JSON.stringify({ t: 'step', tokens })}\n`;
      for (const entry of items) {
        if (entry.produced !== entry.item.maxTokens) continue;
        entry.produced++;
        out += `${JSON.stringify({
          t: 'done',
          id: entry.item.id,
          promptTokens: entry.item.promptTokens,
          completionTokens: entry.item.maxTokens,
          finishReason: 'length',
        })}\n`;
      }
      if (items.every((entry) => entry.produced > entry.item.maxTokens)) {
        res.end(out);
        return;
      }
      res.write(out);
      timer = later(stepMs, step);
    };
    timer = later(firstTokenDelayMs + stepMs, step);
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/v1/batch') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as BatchRequest;
      batches.push(batch);
      const behavior = worker.behavior;
      if (behavior.kind === 'close-before-first-token') {
        req.socket.destroy();
        return;
      }
      if (behavior.kind === 'status') {
        res.writeHead(behavior.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'draining', message: 'scripted status' } }));
        return;
      }
      run(batch, res, behavior);
    });
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const worker: FakeWorker = {
    id: options.id,
    url,
    batches,
    behavior: options.behavior ?? { kind: 'normal' },
    record: (overrides = {}) => ({
      id: options.id,
      node: 'test-node',
      gpuIndex: 0,
      url,
      maxRunningSeqs: 256,
      state: 'ready',
      startedAt,
      ...overrides,
    }),
    abortedBatches: () => aborted,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return worker;
}

/** A URL on 127.0.0.1 where nothing listens: connecting is refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
