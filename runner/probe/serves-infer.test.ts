import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servesInfer } from './serves-infer.js';

let withInfer: Server;
let openAiOnly: Server;
const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
const listen = (s: Server) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));

beforeAll(async () => {
  withInfer = createServer((req, res) => {
    res.writeHead(req.url === '/infer' ? 400 : 404).end();
  });
  openAiOnly = createServer((_req, res) => res.writeHead(404).end('{"error":"not found"}'));
  await Promise.all([listen(withInfer), listen(openAiOnly)]);
});

afterAll(async () => {
  await Promise.all([withInfer, openAiOnly].map((s) => new Promise((r) => s.close(r))));
});

describe('servesInfer', () => {
  it('tells a server with /infer from an OpenAI-only one and from nothing at all', async () => {
    expect(await servesInfer(url(withInfer))).toBe(true);
    expect(await servesInfer(url(openAiOnly))).toBe(false);
    expect(await servesInfer('http://127.0.0.1:1', undefined, 1_000)).toBe(false);
  });
});
