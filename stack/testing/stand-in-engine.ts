import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible engine with known latency and known text, standing in for vLLM or SGLang in tests
 * of the worker's engine adapter: `GET /v1/models`, and streamed `POST /v1/completions` and
 * `/v1/chat/completions` whose first token comes `firstTokenMs` after the request and every next one
 * `tokenGapMs` later, `max_tokens` of them. Token i of a request with seed s reads `standInToken(s, i)`,
 * so a test knows every answer and a migrated stream can be checked word for word.
 */
export interface StandInEngineOptions {
  model: string;
  firstTokenMs: number;
  tokenGapMs: number;
  /** Answer every inference request with this status and an OpenAI error body instead. */
  refuseWith?: number;
  /** Without ignore_eos, a request stops (finish_reason stop) after this many tokens. */
  naturalLength: number;
  /** A bearer key to require; none unless given. */
  apiKey?: string;
}

export interface StandInEngine extends AsyncDisposable {
  url: string;
  /** The JSON bodies of the inference requests, in arrival order. */
  readonly bodies: Array<Record<string, unknown>>;
  /** Streams still open. */
  readonly open: number;
  setRefusal(status: number | undefined): void;
  close(): Promise<void>;
}

export function standInToken(seed: number, position: number): string {
  return `w${seed % 1000}.${position} `;
}

export async function startStandInEngine(
  options: Partial<StandInEngineOptions> = {},
): Promise<StandInEngine> {
  const settings: StandInEngineOptions = {
    model: 'glm-4-9b-chat',
    firstTokenMs: 30,
    tokenGapMs: 10,
    naturalLength: 5,
    ...options,
  };
  const bodies: Array<Record<string, unknown>> = [];
  let open = 0;

  const answer = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (settings.apiKey !== undefined && req.headers.authorization !== `Bearer ${settings.apiKey}`) {
      sendError(res, 401, 'invalid api key');
      return;
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: settings.model, object: 'model' }] }));
      return;
    }
    const chat = req.url === '/v1/chat/completions';
    if (req.method !== 'POST' || !(chat || req.url === '/v1/completions')) {
      sendError(res, 404, `no ${req.method} ${req.url}`);
      return;
    }
    const body = JSON.parse(raw) as Record<string, unknown>;
    bodies.push(body);
    if (settings.refuseWith !== undefined) {
      sendError(res, settings.refuseWith, 'refused by the stand-in engine');
      return;
    }
    if (body.model !== settings.model) {
      sendError(res, 404, `The model \`${String(body.model)}\` does not exist.`);
      return;
    }
    const seed = Number(body.seed ?? 0);
    const maxTokens = Number(body.max_tokens ?? 16);
    const length = body.ignore_eos === true ? maxTokens : Math.min(maxTokens, settings.naturalLength);
    const finish = length === maxTokens ? 'length' : 'stop';
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    open++;
    res.once('close', () => open--);
    const chunk = (text: string | undefined, finishReason: string | null) => {
      const choice = chat
        ? { index: 0, delta: text === undefined ? {} : { content: text }, finish_reason: finishReason }
        : { index: 0, text: text ?? '', finish_reason: finishReason };
      return `data: ${JSON.stringify({ id: 'cmpl-stand-in', object: 'chunk', choices: [choice] })}\n\n`;
    };
    if (chat)
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant' } }] })}\n\n`);
    const started = performance.now();
    const send = (position: number) => {
      const due = started + settings.firstTokenMs + position * settings.tokenGapMs;
      setTimeout(
        () => {
          if (res.destroyed) return;
          res.write(chunk(standInToken(seed, position), null));
          if (position + 1 < length) {
            send(position + 1);
            return;
          }
          const usage = { prompt_tokens: 7, completion_tokens: length, total_tokens: 7 + length };
          res.end(
            `${chunk(undefined, finish)}data: ${JSON.stringify({ choices: [], usage })}\n\ndata: [DONE]\n\n`,
          );
        },
        Math.max(0, due - performance.now()),
      );
    };
    send(0);
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => {
      raw += part;
    });
    req.on('end', () => answer(req, res, raw));
  });
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
    bodies,
    get open() {
      return open;
    },
    setRefusal(status) {
      settings.refuseWith = status;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

function sendError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', code: status } }));
}

/** The text of an OpenAI chat completion stream's deltas, for checking what a client received. */
export async function chatStreamText(response: Response): Promise<string> {
  return (await response.text())
    .split('\n\n')
    .filter((block) => block.startsWith('data: {'))
    .map((block) => JSON.parse(block.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> })
    .map((chunk) => chunk.choices?.[0]?.delta?.content ?? '')
    .join('');
}
