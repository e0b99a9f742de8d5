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
  reason: 'detached' | 'orphaned' | 'requested';
}
