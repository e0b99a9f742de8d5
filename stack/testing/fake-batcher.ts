import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SubmitEvent, SubmitRequest } from '../protocol/batcher-api.js';
import { headers } from '../protocol/headers.js';
import type { BatcherRecord } from '../protocol/registry-keys.js';
import { tokenStream } from '../protocol/tokens.js';
import { readBody, sendJson } from '../runtime/http-util.js';

/**
 * Test helper: an in-process batcher that speaks stack/protocol/batcher-api.ts with scripted behaviour,
 * so gateway tests run against real HTTP without the real batcher.
 */
export type FakeBatcherBehavior =
  /** Answers every token (seeded like the worker), `tokensPerLine` per `tok` line when streamed. */
  | { kind: 'ok'; tokensPerLine?: number; lineDelayMs?: number }
  /** Answers an error status before any token (429 with Retry-After, 502, 503, ...). */
  | { kind: 'status'; status: number; code: string; retryAfterS?: number }
  /** Streams `afterTokens` tokens, then an `err` event with code stream_cut. */
  | { kind: 'cut'; afterTokens: number }
  /** Streams `afterTokens` tokens, then destroys the connection. */
  | { kind: 'drop'; afterTokens: number }
  /** Accepts the request and never answers (until closed). */
  | { kind: 'hang' };

export interface FakeBatcher extends AsyncDisposable {
  url: string;
  record: BatcherRecord;
  /** Every SubmitRequest received, in order. */
  requests: SubmitRequest[];
  /** Answers whose connection closed before the answer was complete (the gateway aborted them). */
  readonly abandoned: number;
  setBehavior(behavior: FakeBatcherBehavior): void;
  close(): Promise<void>;
}

export const fakeEvidenceHeaders = {
  [headers.queueMs]: '7',
  [headers.batchSize]: '4',
  [headers.workerId]: 'worker-fake-0',
  [headers.attempts]: '1',
} as const;

export async function startFakeBatcher(
  id: string,
  behavior: FakeBatcherBehavior = { kind: 'ok' },
): Promise<FakeBatcher> {
  let current = behavior;
  const requests: SubmitRequest[] = [];
  let abandoned = 0;
  const evidence = { ...fakeEvidenceHeaders, [headers.batcherId]: id };

  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.url !== '/v1/submit') {
        sendJson(res, 404, { error: { code: 'bad_request', message: 'not found' } });
        return;
      }
      const submit = JSON.parse((await readBody(req, 1024 * 1024)).toString('utf8')) as SubmitRequest;
      requests.push(submit);
      res.once('close', () => {
        if (!res.writableFinished) abandoned++;
      });
      const script = current;
      if (script.kind === 'hang') return;
      if (script.kind === 'status') {
        const extra: Record<string, string> = { ...evidence };
        if (script.retryAfterS !== undefined) extra['retry-after'] = String(script.retryAfterS);
        sendJson(res, script.status, { error: { code: script.code, message: `fake ${script.code}` } }, extra);
        return;
      }
      const next = tokenStream(submit.seed);
      const all = Array.from({ length: submit.maxTokens }, () => next());
      // Like the real batcher: a migrated stream continues after the tokens the client already has.
      const tokens = all.slice(submit.resumeFrom ?? 0);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', ...evidence });
      if (script.kind === 'ok') {
        await answer(res, submit, tokens, script.tokensPerLine ?? 1, script.lineDelayMs ?? 0);
        return;
      }
      const sent = tokens.slice(0, script.afterTokens);
      if (sent.length > 0) res.write(line({ t: 'tok', k: sent }));
      if (script.kind === 'cut') {
        res.end(line({ t: 'err', code: 'stream_cut', message: 'worker lost mid-stream' }));
      } else {
        // Let the tokens reach the gateway before the connection breaks.
        setTimeout(() => res.destroy(), 20);
      }
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const close = async () => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await stopped;
  };
  return {
    url,
    record: { id, url, state: 'ready', startedAt: Date.now() },
    requests,
    get abandoned() {
      return abandoned;
    },
    setBehavior: (next) => {
      current = next;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A URL where nothing listens: connections to it are refused. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const line = (event: SubmitEvent) => `${JSON.stringify(event)}\n`;

async function answer(
  res: ServerResponse,
  submit: SubmitRequest,
  tokens: number[],
  tokensPerLine: number,
  lineDelayMs: number,
): Promise<void> {
  const done = {
    t: 'done',
    promptTokens: submit.promptTokens,
    completionTokens: tokens.length,
    finishReason: 'length',
  } as const;
  if (!submit.stream) {
    res.end(line({ ...done, k: tokens }));
    return;
  }
  for (let i = 0; i < tokens.length; i += tokensPerLine) {
    if (lineDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, lineDelayMs));
    if (res.destroyed) return;
    res.write(line({ t: 'tok', k: tokens.slice(i, i + tokensPerLine) }));
  }
  res.end(line(done));
}
