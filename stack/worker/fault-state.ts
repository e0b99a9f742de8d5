import { z } from 'zod';
import type { GpuFaults } from '../protocol/worker-api.js';

/** Body of `POST /admin/faults`: the fields given are merged into the active faults. */
export const gpuFaultsSchema = z.strictObject({
  slowdown: z.number().min(1).max(1000).optional(),
  errorRate: z.number().min(0).max(1).optional(),
  hang: z.boolean().optional(),
  crash: z.boolean().optional(),
  oom: z.boolean().optional(),
});

/** The faults in force. `crash` is not a state: it kills the process when posted. */
export interface ActiveFaults {
  slowdown: number;
  errorRate: number;
  hang: boolean;
  oom: boolean;
}

const healthy: ActiveFaults = { slowdown: 1, errorRate: 0, hang: false, oom: false };

/** Names used for the `fault` label of gauntlet_worker_fault_active. */
export const faultNames = ['slowdown', 'error_rate', 'hang', 'oom'] as const;
export type FaultName = (typeof faultNames)[number];

/** The injected faults of one worker, with a listener for changes (the scheduler reacts to hang and oom). */
export class FaultState {
  private current: ActiveFaults = { ...healthy };
  private readonly listeners = new Set<(faults: ActiveFaults, previous: ActiveFaults) => void>();

  get active(): Readonly<ActiveFaults> {
    return this.current;
  }

  /** Merges the given fields (crash excluded) over the active faults. */
  merge(faults: GpuFaults): ActiveFaults {
    const next: ActiveFaults = { ...this.current };
    if (faults.slowdown !== undefined) next.slowdown = faults.slowdown;
    if (faults.errorRate !== undefined) next.errorRate = faults.errorRate;
    if (faults.hang !== undefined) next.hang = faults.hang;
    if (faults.oom !== undefined) next.oom = faults.oom;
    this.set(next);
    return { ...next };
  }

  clear(): void {
    this.set({ ...healthy });
  }

  isActive(name: FaultName): boolean {
    switch (name) {
      case 'slowdown':
        return this.current.slowdown > 1;
      case 'error_rate':
        return this.current.errorRate > 0;
      case 'hang':
        return this.current.hang;
      case 'oom':
        return this.current.oom;
    }
  }

  /** The active faults as the admin API shows them. */
  snapshot(): ActiveFaults {
    return { ...this.current };
  }

  onChange(listener: (faults: ActiveFaults, previous: ActiveFaults) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(next: ActiveFaults): void {
    const previous = this.current;
    this.current = next;
    for (const listener of this.listeners) listener(next, previous);
  }
}
