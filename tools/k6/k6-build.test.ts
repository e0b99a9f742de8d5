import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const k6Path = join(root, '.tools', 'bin', 'k6');
const hasK6 = existsSync(k6Path);

const EVENT_COUNT = 5;
const EVENT_GAP_MS = 20;
const ITERATIONS = 3;
const K6_TIMEOUT_MS = 30_000;

interface SseEvent {
  data: string;
  event: string;
  id: string;
  atMs: number;
}

interface SseResult {
  status: number;
  error: string;
  errorCode: string;
  headers: Record<string, string>;
  body: string;
  events: SseEvent[];
  headersAtMs: number;
  durationMs: number;
  startedAtUnixMs: number;
}

interface Sample {
  kind: 'stream' | 'plain' | 'refused' | 'timeout';
  monoMs: number;
  nowMs: number;
  r: SseResult;
}

// The script under test: plain JS, as k6 runs it. Streams in the iterations; the other outcomes once, in
// teardown, so one k6 start covers them all.
const script = `
import { request } from 'k6/x/sse';
import { record, monotonicMs, nowUnixMs } from 'k6/x/gauntlet';

export const options = { vus: 1, iterations: ${ITERATIONS} };

function save(kind, r) {
  record(JSON.stringify({ kind, monoMs: monotonicMs(), nowMs: nowUnixMs(), r }));
}

export default function () {
  save('stream', request('POST', __ENV.BASE + '/stream', '{"prompt":"hi"}', {
    headers: { 'content-type': 'application/json', 'x-probe': 'yes' },
    timeoutMs: 5000,
  }));
}

export function teardown() {
  save('plain', request('GET', __ENV.BASE + '/plain', null));
  save('refused', request('GET', __ENV.REFUSED, null, { timeoutMs: 2000 }));
  save('timeout', request('GET', __ENV.BASE + '/hang', null, { timeoutMs: 200 }));
}
`;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  if (req.url === '/plain') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  if (req.url === '/hang') {
    res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
    return; // never ends; closed by closeAllConnections
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'x-echo-body': body,
    'x-echo-probe': req.headers['x-probe'] ?? '',
  });
  for (let i = 0; i < EVENT_COUNT; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, EVENT_GAP_MS));
    res.write(`event: token\ndata: {"i":${i}}\n\n`);
  }
  res.end();
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port that refuses connections: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function runK6(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(k6Path, args, { env, timeout: K6_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe.skipIf(!hasK6)(
  hasK6
    ? 'k6 with xk6-gauntlet'
    : 'k6 with xk6-gauntlet (skipped: .tools/bin/k6 is absent; run node bin/setup.js)',
  () => {
    const server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => res.destroy(err instanceof Error ? err : undefined));
    });
    let dir = '';
    let base = '';

    beforeAll(async () => {
      base = await listen(server);
      dir = await mkdtemp(join(tmpdir(), 'gauntlet-k6-'));
      // A cold Node server coalesces its first writes; warm it so that k6 sees the intended spacing.
      await (await fetch(`${base}/stream`, { method: 'POST', body: 'warm-up' })).text();
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    });

    it('stamps each SSE event with its arrival time and records samples to a file', async () => {
      const scriptFile = join(dir, 'script.js');
      const samplesFile = join(dir, 'samples.jsonl');
      await writeFile(scriptFile, script);
      const startedMs = Date.now();
      const { code, output } = await runK6(
        [
          'run',
          '--quiet',
          '--no-usage-report',
          '-e',
          `BASE=${base}`,
          '-e',
          `REFUSED=http://127.0.0.1:${await closedPort()}/`,
          scriptFile,
        ],
        { ...process.env, K6_AUTO_EXTENSION_RESOLUTION: 'false', GAUNTLET_SAMPLES_FILE: samplesFile },
      );
      expect(code, output).toBe(0);

      const lines = (await readFile(samplesFile, 'utf8')).split('\n');
      expect(lines.pop()).toBe(''); // every record ends with a newline
      const samples = lines.map((line) => JSON.parse(line) as Sample);
      expect(samples.map((s) => s.kind)).toEqual([
        ...Array(ITERATIONS).fill('stream'),
        'plain',
        'refused',
        'timeout',
      ]);

      const gaps: number[] = [];
      for (const { r } of samples.filter((s) => s.kind === 'stream')) {
        expect(r).toMatchObject({ status: 200, error: '', errorCode: '', body: '' });
        expect(r.headers['x-echo-body']).toBe('{"prompt":"hi"}');
        expect(r.headers['x-echo-probe']).toBe('yes');
        expect(r.events.map((e) => [e.event, e.data, e.id])).toEqual(
          Array.from({ length: EVENT_COUNT }, (_, i) => ['token', `{"i":${i}}`, '']),
        );
        expect(r.headersAtMs).toBeGreaterThan(0);
        expect(r.events[0]?.atMs).toBeGreaterThanOrEqual(r.headersAtMs);
        expect(r.durationMs).toBeGreaterThanOrEqual(r.events.at(-1)?.atMs ?? Number.POSITIVE_INFINITY);
        expect(r.startedAtUnixMs).toBeGreaterThanOrEqual(startedMs);
        for (let i = 1; i < r.events.length; i++) {
          gaps.push((r.events[i]?.atMs ?? 0) - (r.events[i - 1]?.atMs ?? 0));
        }
      }
      // Each event is stamped when it arrives: the stamps never go back, and the median gap is the server's
      // spacing (a stream stamped at its end would have gaps of ~0). Single gaps are not bounded: on a busy
      // 2-core host one late event shortens the gap after it (one read 1 ms against the 20 ms spacing).
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(0);
      expect(median(gaps)).toBeGreaterThan(EVENT_GAP_MS * 0.9);
      expect(median(gaps)).toBeLessThan(EVENT_GAP_MS * 1.75);

      const monos = samples.map((s) => s.monoMs);
      expect(monos).toEqual([...monos].sort((a, b) => a - b));
      for (const s of samples) expect(s.nowMs).toBeGreaterThanOrEqual(startedMs);

      const byKind = (kind: Sample['kind']): SseResult | undefined => samples.find((s) => s.kind === kind)?.r;
      expect(byKind('plain')).toMatchObject({ status: 200, body: '{"ok":true}', events: [], errorCode: '' });
      expect(byKind('refused')).toMatchObject({ status: 0, errorCode: 'connection' });
      expect(byKind('timeout')).toMatchObject({ status: 200, errorCode: 'timeout' });
      expect(byKind('timeout')?.error).toContain('200 ms');
    });
  },
);
