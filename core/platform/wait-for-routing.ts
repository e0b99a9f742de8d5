import { setTimeout as sleep } from 'node:timers/promises';
import type { StackHandle } from './platform.js';

/**
 * Every component said it is ready; now wait until routing works end to end, on any platform: the gateway
 * is ready (it sees a batcher) and every batcher sees every worker, so the first request cannot meet an
 * empty view. Batchers are asked at their own address (on docker, the host reaches the run's network).
 */
export async function waitForRouting(
  stack: Pick<StackHandle, 'components' | 'gatewayUrl'>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const workers = stack.components({ role: 'worker' }).length;
  const batchers = stack.components({ role: 'batcher' });
  let last = '';
  while (Date.now() < deadline) {
    try {
      const gateway = await fetch(`${stack.gatewayUrl}/readyz`, { signal: AbortSignal.timeout(1_000) });
      const views = await Promise.all(
        batchers.map(async (b) => {
          const res = await fetch(`${b.url}/v1/status`, { signal: AbortSignal.timeout(1_000) });
          return liveWorkersOf(await res.json());
        }),
      );
      if (gateway.ok && views.every((n) => n >= workers)) return;
      last = `gateway /readyz ${gateway.status}; batchers see ${views.join(', ')} of ${workers} workers`;
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
