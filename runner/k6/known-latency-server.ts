import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** Timings of the known-latency server; defaults are the accuracy check's. */
export interface KnownLatencyOptions {
  /** /infer answers this long after the request arrived. */
  inferDelayMs: number;
  /** The chat stream sends this many tokens... */
  streamTokens: number;
  /** ...one every this many ms, the first one after the same gap. */
  tokenGapMs: number;
}

export interface KnownLatencyServer extends AsyncDisposable {
  url: string;
  /** Requests answered so far, and the x-request-id values seen. */
  requests: number;
  requestIds: string[];
  close(): Promise<void>;
}

/** The model name `GET /v1/models` lists. */
export const knownLatencyModel = 'known-latency';

const defaults: KnownLatencyOptions = { inferDelayMs: 50, streamTokens: 5, tokenGapMs: 20 };

/**
 * A server whose latency is known exactly, to check a load generator against (see
 * shared/notes/platform-facts.md, "Load generators"): `POST /infer` answers after inferDelayMs; streamed
 * `POST /v1/chat/completions` sends streamTokens OpenAI chunks tokenGapMs apart, then finish, usage and
 * [DONE]; `GET /v1/models` lists one model, so that a worker can front it as an engine. Timers aim at
 * absolute times from the request's arrival, so event-loop jitter does not add up.
 */
export async function startKnownLatencyServer(
  options: Partial<KnownLatencyOptions> = {},
): Promise<KnownLatencyServer> {
  const settings = { ...defaults, ...options };
  const state = { requests: 0, requestIds: [] as string[] };
  // libuv schedules timers from its cached loop time, which lags performance.now() when the loop was busy,
  // so a timer can fire early: check on firing and re-arm for the rest (overshoot below 1 ms).
  const at = (arrivedAt: number, offsetMs: number, run: () => void) => {
    const due = arrivedAt + offsetMs;
    const check = (rearms: number) => {
      const remaining = due - performance.now();
      if (remaining <= 0 || rearms >= 20) run();
      else setTimeout(() => check(rearms + 1), Math.ceil(remaining));
    };
    check(0);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, arrivedAt: number, body: string) => {
    state.requests++;
    const id = req.headers['x-request-id'];
    if (typeof id === 'string') state.requestIds.push(id);
    if (req.url === '/infer') {
      at(arrivedAt, settings.inferDelayMs, () => {
        const answer = JSON.stringify({
          id,
          object: 'inference',
          output: 'ok ',
          usage: { prompt_tokens: Math.ceil(body.length / 4), completion_tokens: 1, total_tokens: 2 },
          finish_reason: 'stop',
        });
        res.writeHead(200, { 'content-type': 'application/json', 'x-gauntlet-worker-id': 'known' });
        res.end(answer);
      });
      return;
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      // What a worker fronting this server as its engine checks before it registers (stack/worker/engine).
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: knownLatencyModel, object: 'model' }] }));
      return;
    }
    if (req.url === '/v1/chat/completions') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const chunk = (delta: Record<string, string>, finish: string | null) =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }, null));
      // Each token schedules the next (at its absolute time), so they leave in order however late a timer runs.
      const send = (token: number) =>
        at(arrivedAt, token * settings.tokenGapMs, () => {
          if (res.destroyed || res.writableEnded) return;
          const out = chunk({ content: `t${token} ` }, null);
          if (token < settings.streamTokens) {
            res.write(out);
            send(token + 1);
            return;
          }
          const usage = { prompt_tokens: 1, completion_tokens: settings.streamTokens, total_tokens: 0 };
          res.end(
            `${out}${chunk({}, 'length')}data: ${JSON.stringify({ choices: [], usage })}\n\ndata: [DONE]\n\n`,
          );
        });
      send(1);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"not found"}}');
  };

  const server = createServer((req, res) => {
    const arrivedAt = performance.now();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => {
      body += part;
    });
    req.on('end', () => handle(req, res, arrivedAt, body));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get requestIds() {
      return state.requestIds;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
