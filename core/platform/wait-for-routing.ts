import { setTimeout as sleep } from 'node:timers/promises';
import type { StackHandle } from './platform.js';

/**
 * Every component said it is ready; now wait until routing works end to end, on any platform: every
 * gateway is ready (it sees a batcher) and every batcher sees every worker, so the first request cannot meet
 * an empty view. Each gateway is asked at its own address as well as at the stack URL: behind a load
 * balancer the stack URL answers for one gateway at a time, and a POST that meets a gateway still
 * waiting for its first batcher is not retried on another (nginx retries only idempotent methods). Every
 * address goes through the platform's `reach` (a port-forward on a real cluster, where pod IPs are not
 * routable from the harness).
 */
export async function waitForRouting(
  stack: Pick<StackHandle, 'components' | 'gatewayUrl' | 'reach'>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const workers = stack.components({ role: 'worker' }).length;
  const batchers = stack.components({ role: 'batcher' });
  const gateways = stack.components({ role: 'gateway' });
  let last = '';
  while (Date.now() < deadline) {
    try {
      const gatewayUrls = [
        stack.gatewayUrl,
        ...(await Promise.all(gateways.flatMap((g) => (g.url ? [stack.reach(g.url)] : []))).then((urls) =>
          urls.filter((url) => url !== stack.gatewayUrl),
        )),
      ];
      const statuses = await Promise.all(
        gatewayUrls.map(async (url) => {
          const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
          await res.body?.cancel();
          return res.status;
        }),
      );
      const views = await Promise.all(
        batchers.map(async (b) => {
          const url = b.url ? await stack.reach(b.url) : undefined;
          if (!url) return 0;
          const res = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(1_000) });
          return liveWorkersOf(await res.json());
        }),
      );
      if (statuses.every((s) => s === 200) && views.every((n) => n >= workers)) return;
      last = `gateway /readyz ${statuses.join(', ')}; batchers see ${views.join(', ')} of ${workers} workers`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(20);
  }
  throw new Error(`stack not ready after ${timeoutMs} ms: ${last}`);
}

function liveWorkersOf(status: unknown): number {
  const s = status as { liveWorkers?: number; workers?: unknown[] };
  if (typeof s.liveWorkers === 'number') return s.liveWorkers;
  return Array.isArray(s.workers) ? s.workers.length : 0;
}
