import { Agent } from 'undici';

/** The connection pool to the batchers; `connectTimeoutMs` bounds a TCP connect before it counts as failed. */
export function createUpstreamAgent(connectTimeoutMs: number): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: connectTimeoutMs },
    // Each request carries its own deadline (request_timeout_ms); undici's would cut long streams.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}
