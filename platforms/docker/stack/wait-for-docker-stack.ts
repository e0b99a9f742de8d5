import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerStack } from './docker-stack.js';

/**
 * Every container printed its ready line; now wait until routing works end to end: the gateway answers
 * /readyz on its published port and every batcher sees every worker, so a first request cannot meet an
 * empty view. Batchers are asked on their container address (the host reaches the run's network).
 */
export async function waitForDockerStack(stack: DockerStack, timeoutMs: number): Promise<void> {
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
          const status = (await res.json()) as { liveWorkers?: number; workers?: unknown[] };
          return status.liveWorkers ?? status.workers?.length ?? 0;
        }),
      );
      if (gateway.ok && views.every((n) => n >= workers)) return;
      last = `gateway /readyz ${gateway.status}; batchers see ${views.join(', ')} of ${workers} workers`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(25);
  }
  throw new Error(`docker stack not ready after ${timeoutMs} ms: ${last}`);
}
