import { Registry } from 'prom-client';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpService, probeRoutes, routeRequest, startHttpService } from './http-service.js';
import { sendJson } from './http-util.js';

let service: HttpService | undefined;
afterEach(async () => {
  await service?.close();
  service = undefined;
});

async function start(ready: () => boolean): Promise<HttpService> {
  service = await startHttpService({
    host: '127.0.0.1',
    port: 0,
    handle: routeRequest(
      {
        ...probeRoutes({
          health: () => ({ status: 200, body: { ok: true } }),
          ready: () => ({ status: ready() ? 200 : 503, body: { ready: ready() } }),
          registry: new Registry(),
        }),
        '/echo': { POST: (_req, res) => sendJson(res, 200, { echoed: true }) },
        '/boom': {
          GET: () => {
            throw new Error('boom');
          },
        },
      },
      {
        notFound: (_req, res, path) => sendJson(res, 404, { missing: path }),
        methodNotAllowed: (_req, res, _path, allowed) => sendJson(res, 405, { allowed }),
      },
    ),
    onError: (_req, res, error) => sendJson(res, 500, { error: error.message }),
  });
  return service;
}

async function call(url: string, method: 'GET' | 'POST' | 'HEAD' = 'GET') {
  const res = await request(url, { method });
  const text = await res.body.text();
  const json = String(res.headers['content-type']).startsWith('application/json') && text !== '';
  return { status: res.statusCode, body: json ? (JSON.parse(text) as unknown) : undefined };
}

describe('the shared HTTP service skeleton', () => {
  it('answers the probes, routes by path and method, and hands misses and errors to the service', async () => {
    let ready = false;
    const { url } = await start(() => ready);
    expect(await call(`${url}/healthz`)).toEqual({ status: 200, body: { ok: true } });
    expect(await call(`${url}/readyz`)).toEqual({ status: 503, body: { ready: false } });
    ready = true;
    expect(await call(`${url}/readyz?probe=1`)).toEqual({ status: 200, body: { ready: true } });
    expect((await call(`${url}/healthz`, 'HEAD')).status).toBe(200);
    expect((await call(`${url}/metrics`)).status).toBe(200);
    expect(await call(`${url}/echo`, 'POST')).toEqual({ status: 200, body: { echoed: true } });
    expect(await call(`${url}/echo`)).toEqual({ status: 405, body: { allowed: ['POST'] } });
    expect(await call(`${url}/nowhere`)).toEqual({ status: 404, body: { missing: '/nowhere' } });
    expect(await call(`${url}/boom`)).toEqual({ status: 500, body: { error: 'boom' } });
  });

  it('closes with idle keep-alive connections open, and refuses connections after', async () => {
    const { url } = await start(() => true);
    await call(`${url}/healthz`);
    const started = performance.now();
    await service?.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    await expect(request(`${url}/healthz`)).rejects.toThrow();
  });
});
