import type { GpuFaults } from '../../stack/protocol/worker-api.js';

/** The worker's active faults as `GET /admin/faults` shows them. */
export interface ActiveGpuFaults {
  slowdown: number;
  errorRate: number;
  hang: boolean;
  oom: boolean;
}

/** `{worker}/admin/faults` with the stack's admin token. POST merges the given fields; DELETE clears all. */
export async function workerAdmin(
  workerUrl: string,
  adminToken: string,
  method: 'GET' | 'POST' | 'DELETE',
  faults?: GpuFaults,
  timeoutMs = 2_000,
): Promise<unknown> {
  const response = await fetch(`${workerUrl}/admin/faults`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    ...(faults ? { body: JSON.stringify(faults) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(
      `${method} ${workerUrl}/admin/faults${faults ? ` ${JSON.stringify(faults)}` : ''}: HTTP ${response.status} ${text.slice(0, 200)}`,
    );
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** The fields of a GpuFaults that undo it (slowdown 1, errorRate 0, ...), so overlapping faults on one worker each undo only their own. */
export function neutralOf(faults: GpuFaults): GpuFaults {
  const out: GpuFaults = {};
  if (faults.slowdown !== undefined) out.slowdown = 1;
  if (faults.errorRate !== undefined) out.errorRate = 0;
  if (faults.hang !== undefined) out.hang = false;
  if (faults.oom !== undefined) out.oom = false;
  return out;
}

export function isHealthy(active: ActiveGpuFaults): boolean {
  return active.slowdown <= 1 && active.errorRate <= 0 && !active.hang && !active.oom;
}
