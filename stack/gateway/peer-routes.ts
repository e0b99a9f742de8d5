import type { Registry } from 'prom-client';
import { probeRoutes, type RouteHandler, type Routes } from '../runtime/http-service.js';
import { sendJson } from '../runtime/http-util.js';
import type { BatcherRouter } from './batcher-router.js';
import type { DrainGate } from './drain-gate.js';
import { gatewayVersion } from './gateway-version.js';

export interface PeerRoutesDeps {
  router: BatcherRouter;
  gate: DrainGate;
  registry: Registry;
}

/**
 * The routes answered without an API key: our probes (/healthz, /readyz, /metrics) and the ones peer
 * clients expect of an inference server (/health, /version).
 */
export function peerRoutes(deps: PeerRoutesDeps): Routes {
  const { router, gate } = deps;
  // vLLM's and SGLang's conventions, which benchmark clients (GuideLLM) probe before they send load:
  // an empty 200 while the gateway can route, an empty 503 when it cannot (no routable batcher, or
  // draining), as vLLM answers 503 when its engine is dead. No API key, as in vLLM.
  const vllmHealth: RouteHandler = (_req, res) => {
    res.writeHead(!gate.draining && router.routableCount() > 0 ? 200 : 503, { 'content-length': 0 });
    res.end();
  };
  const version: RouteHandler = (_req, res) => sendJson(res, 200, { version: gatewayVersion() });
  return {
    ...probeRoutes({
      health: () => ({ status: 200, body: { status: 'ok' } }),
      ready: () => {
        const routable = router.routableCount();
        const draining = gate.draining;
        const ready = !draining && routable > 0;
        return {
          status: ready ? 200 : 503,
          body: { status: ready ? 'ready' : 'not_ready', routableBatchers: routable, draining },
        };
      },
      registry: deps.registry,
    }),
    '/health': { GET: vllmHealth, HEAD: vllmHealth },
    '/version': { GET: version },
  };
}
