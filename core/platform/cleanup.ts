/** What `gauntlet down` asks every platform to clean up. */
export interface CleanupOptions {
  /** Also stop stacks whose owning gauntlet process is still running. */
  all?: boolean;
  /** Only this run. */
  runId?: string;
}

export interface CleanupReport {
  runId: string;
  platform: string;
  /** The instances (pids, containers, pods, namespaces) that were still there and were stopped. */
  stopped: string[];
  /**
   * Why: `unrecorded` is a run found on the platform with no record in this GAUNTLET_HOME, left alone
   * (`stopped` is empty and `hint` says how to remove it).
   */
  reason: 'detached' | 'orphaned' | 'requested' | 'unrecorded';
  hint?: string;
}

/**
 * Runs a platform found (labelled containers, `gauntlet-*` kind clusters) that this GAUNTLET_HOME has no
 * record of. Every platform records a run before it creates anything, so such a run is another home's
 * (a second CI job or user on the same engine, the test suite's own homes), not a crash of this one:
 * `--all` leaves it alone and says so. Naming it with `--run` is explicit and removes it.
 */
export function unrecordedRuns(
  found: readonly string[],
  recorded: ReadonlySet<string>,
  options: CleanupOptions,
): { remove: string[]; leave: string[] } {
  const unrecorded = [...new Set(found)].filter((runId) => !recorded.has(runId));
  if (options.runId !== undefined) {
    return { remove: unrecorded.filter((runId) => runId === options.runId), leave: [] };
  }
  return { remove: [], leave: options.all ? unrecorded : [] };
}
