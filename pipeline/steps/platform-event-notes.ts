import type { PlatformEvent } from '../../core/platform/platform.js';

/** How long after a fault's rollback its platform events still belong to it (the replacement coming up). */
const AFTER_ROLLBACK_MS = 30_000;
const MAX_EVENTS = 16;

/**
 * One note per fault: what the platform's control plane saw from its injection until 30 s after its
 * rollback, times relative to the injection (`+0.4 s pod worker-node-a-0 deleted`). The API's view beside
 * the samples: when Kubernetes noticed (a node NotReady) and when it had replaced what the fault took.
 */
export function platformEventNotes(
  platform: string,
  events: readonly PlatformEvent[],
  faults: ReadonlyArray<{ id: string; injectedAt: number | null; revertedAt: number | null }>,
): string[] {
  return faults.flatMap((fault) => {
    if (fault.injectedAt === null) return [];
    const from = fault.injectedAt;
    const to = (fault.revertedAt ?? fault.injectedAt) + AFTER_ROLLBACK_MS;
    const seen = events.filter((e) => e.t >= from && e.t <= to);
    if (seen.length === 0) return [`${platform} API after fault ${fault.id}: no pod or node changed`];
    const shown = seen
      .slice(0, MAX_EVENTS)
      .map((e) => `+${((e.t - from) / 1000).toFixed(1)} s ${e.subject} ${e.change}`);
    const more = seen.length > MAX_EVENTS ? ` (and ${seen.length - MAX_EVENTS} more)` : '';
    return [`${platform} API after fault ${fault.id}: ${shown.join(', ')}${more}`];
  });
}
