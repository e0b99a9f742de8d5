import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { serveMetrics } from './serve-metrics.js';

export interface MetricsServerOptions {
  registry: Registry;
  /** Told of every /metrics request, before the registry is read (so a scrape's time is known). */
  onScrape?: () => void;
}

export interface StartedMetricsServer extends AsyncDisposable {
  /** Base URL on 127.0.0.1; the registry is served at `${url}/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A /metrics endpoint of its own for a process that is not one of the stack's services (the harness): on
 * 127.0.0.1 only, on a port the kernel picks, so nothing can take it between choosing and binding.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<StartedMetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('only GET /metrics here\n');
      return;
    }
    options.onScrape?.();
    serveMetrics(res, options.registry).catch((error: Error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${error.message}\n`);
    });
  });
  await listen(server);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A scraper's keep-alive connection would hold close() open until it times out.
      server.closeAllConnections();
    });
    return closing;
  };
  return { url: `http://127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
