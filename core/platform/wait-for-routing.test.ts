import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComponentHandle } from './component.js';
import type { ComponentSelector } from './platform.js';
import { waitForRouting } from './wait-for-routing.js';

const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A real HTTP server on 127.0.0.1 answering `/readyz` and `/v1/status` from the given functions. */
async function serve(readyz: () => number, liveWorkers = 1): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(readyz()).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ liveWorkers }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function stackOf(gatewayUrl: string, parts: { role: string; url: string }[]) {
  const components = parts.map(
    (p, i) => ({ id: `${p.role}-${i}`, role: p.role, url: p.url }) as ComponentHandle,
  );
  return {
    gatewayUrl,
    components: (selector?: ComponentSelector) =>
      components.filter((c) => !selector?.role || c.role === selector.role),
    reach: async (url: string) => url,
  };
}

describe('waitForRouting', () => {
  it('waits for every gateway behind a load balancer, not only the one the stack URL answered for', async () => {
    const readyAt = Date.now() + 300;
    const gateway0 = await serve(() => 200);
    const gateway1 = await serve(() => (Date.now() >= readyAt ? 200 : 503));
    const batcher = await serve(() => 200);
    // The stack URL stands for a load balancer that happened to pick the ready gateway.
    const stack = stackOf(gateway0, [
      { role: 'gateway', url: gateway0 },
      { role: 'gateway', url: gateway1 },
      { role: 'batcher', url: batcher },
      { role: 'worker', url: 'http://127.0.0.1:1' },
    ]);
    await waitForRouting(stack, 5_000);
    expect(Date.now()).toBeGreaterThanOrEqual(readyAt);
  });

  it('names the gateway statuses and the batchers views when it gives up', async () => {
    const gateway = await serve(() => 503);
    const batcher = await serve(() => 200, 0);
    const stack = stackOf(gateway, [
      { role: 'gateway', url: gateway },
      { role: 'batcher', url: batcher },
      { role: 'worker', url: 'http://127.0.0.1:1' },
    ]);
    await expect(waitForRouting(stack, 200)).rejects.toThrow(
      /stack not ready after 200 ms: gateway \/readyz 503; batchers see 0 of 1 workers/,
    );
  });
});
