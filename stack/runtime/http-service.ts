import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Registry } from 'prom-client';
import { serveMetrics } from '../../core/metrics/serve-metrics.js';
import { sendJson } from './http-util.js';

/**
 * The HTTP skeleton the three services share: a routes table, the /healthz /readyz /metrics probes,
 * listening, and a close that lets responses just ended flush before connections are cut. Each service
 * brings its handlers and its answers; the skeleton owns the node:http plumbing.
 */

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void> | void;

/** Handlers by path and method; `*` takes every method (the handler checks it). */
export type Routes = Record<string, Partial<Record<string, RouteHandler>>>;

export interface RouteMisses {
  /** No route has this path; the body is left unread (a fallback router may still want it). */
  notFound: RouteHandler;
  /** The path exists, not for this method; `allowed` lists the methods it has. */
  methodNotAllowed: (req: IncomingMessage, res: ServerResponse, path: string, allowed: string[]) => void;
}

export function pathOfUrl(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

/** Picks the handler for a request from the table, or hands the miss on. */
export function routeRequest(routes: Routes, misses: RouteMisses): RouteHandler {
  return (req, res) => {
    const path = pathOfUrl(req.url);
    const method = req.method ?? 'GET';
    const byMethod = Object.hasOwn(routes, path) ? routes[path] : undefined;
    const handler = byMethod?.[method] ?? byMethod?.['*'];
    if (handler) return handler(req, res, path);
    if (!byMethod) return misses.notFound(req, res, path);
    req.resume();
    misses.methodNotAllowed(req, res, path, Object.keys(byMethod));
  };
}

export interface ProbeAnswer {
  status: number;
  body: unknown;
}

export interface Probes {
  health: () => ProbeAnswer;
  ready: () => ProbeAnswer;
  registry: Registry;
}

/**
 * The probe routes every service has, for GET and HEAD: liveness, readiness (503 while starting or
 * draining) and metrics.
 */
export function probeRoutes(probes: Probes): Routes {
  const answer = (probe: () => ProbeAnswer): RouteHandler => {
    return (_req, res) => {
      const { status, body } = probe();
      sendJson(res, status, body);
    };
  };
  const health = answer(probes.health);
  const ready = answer(probes.ready);
  const metrics: RouteHandler = (_req, res) => serveMetrics(res, probes.registry);
  return {
    '/healthz': { GET: health, HEAD: health },
    '/readyz': { GET: ready, HEAD: ready },
    '/metrics': { GET: metrics, HEAD: metrics },
  };
}

export interface HttpServiceOptions {
  host: string;
  port: number;
  handle: RouteHandler;
  /** A handler threw: answer 500 if nothing was sent yet, else cut the response. */
  onError: (req: IncomingMessage, res: ServerResponse, error: Error) => void;
  /** Longer than the keep-alive of typical clients, so the service is not the side that closes first. */
  keepAliveTimeoutMs?: number;
  headersTimeoutMs?: number;
  noDelay?: boolean;
  /**
   * How long close() lets busy connections finish their response before cutting them; idle ones are cut
   * at once. 0 cuts every connection at once.
   */
  closeGraceMs?: number;
}

export interface HttpService {
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes connections (see closeGraceMs); safe to call more than once. */
  close(): Promise<void>;
}

/** The URL clients use for a listening address (a wildcard address is reached on loopback). */
export function listeningUrl(address: AddressInfo): string {
  const { address: host, port } = address;
  if (host === '0.0.0.0' || host === '::') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

export async function startHttpService(options: HttpServiceOptions): Promise<HttpService> {
  // Connections and their responses in progress, so close() can cut idle connections at once (Node's own
  // closeIdleConnections misses a connection on which no request has arrived yet).
  const connections = new Set<Socket>();
  const activeResponses = new Map<Socket, number>();
  const server = createServer({ noDelay: options.noDelay ?? true }, (req, res) => {
    const socket = req.socket;
    activeResponses.set(socket, (activeResponses.get(socket) ?? 0) + 1);
    res.once('close', () => activeResponses.set(socket, (activeResponses.get(socket) ?? 1) - 1));
    Promise.resolve()
      .then(() => options.handle(req, res, pathOfUrl(req.url)))
      .catch((error: Error) => options.onError(req, res, error));
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  if (options.headersTimeoutMs !== undefined) server.headersTimeout = options.headersTimeoutMs;
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => {
      connections.delete(socket);
      activeResponses.delete(socket);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const graceMs = options.closeGraceMs ?? 0;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      if (graceMs === 0) server.closeAllConnections();
      else for (const socket of connections) if (!activeResponses.get(socket)) socket.destroy();
    });
    return closing;
  };
  return { url: listeningUrl(address), port: address.port, close };
}
