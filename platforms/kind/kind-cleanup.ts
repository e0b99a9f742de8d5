import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CleanupOptions, CleanupReport } from '../../core/platform/cleanup.js';
import { isSameProcessAlive } from '../../core/process/process-identity.js';
import { dockerEngineStatus } from '../docker/docker-cli.js';
import { loadStackStates, removeStackState } from '../state/stack-state.js';
import { command } from './command.js';
import { deleteKindCluster } from './kind-cluster.js';

const prefix = 'gauntlet-';

/** The kind cluster of a run. */
export function clusterNameOf(runId: string): string {
  return `${prefix}${runId}`;
}

/**
 * `gauntlet down` for kind runs: the cluster of a detached run, of a run whose harness died, or (with
 * `all` or `runId`) of any run is deleted with its host routes. With `all`, Gauntlet's clusters without
 * a record (a harness killed between creating the cluster and recording it) go too.
 */
export async function cleanupKindRuns(root: string, options: CleanupOptions = {}): Promise<CleanupReport[]> {
  const requested = options.all === true || options.runId !== undefined;
  const states = loadStackStates().filter((state) => state.platform === 'kind');
  if (states.length === 0 && !requested) return [];
  if (!(await dockerEngineStatus()).ok) return [];
  const kind = await kindBinary(root);
  if (!kind) return [];
  const existing = (await command(kind, ['get', 'clusters'], { timeoutMs: 30_000 }).catch(() => ''))
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => name.startsWith(prefix));
  const reports: CleanupReport[] = [];
  const recorded = new Set<string>();
  for (const state of states) {
    const name = clusterNameOf(state.runId);
    recorded.add(name);
    if (options.runId && state.runId !== options.runId) continue;
    const reason = state.detached
      ? 'detached'
      : !state.owner || !isSameProcessAlive(state.owner)
        ? 'orphaned'
        : requested
          ? 'requested'
          : undefined;
    if (!reason) continue;
    const there = existing.includes(name);
    if (there) await deleteKindCluster(kind, name);
    removeStackState(state.runId);
    reports.push({
      runId: state.runId,
      platform: 'kind',
      stopped: there ? [`kind cluster ${name}`] : [],
      reason,
    });
  }
  if (options.all) {
    // Test clusters (gauntlet-test-*) belong to a test run that deletes its own.
    for (const name of existing) {
      if (recorded.has(name) || name.startsWith(`${prefix}test-`)) continue;
      await deleteKindCluster(kind, name);
      reports.push({
        runId: name.slice(prefix.length),
        platform: 'kind',
        stopped: [`kind cluster ${name}`],
        reason: 'requested',
      });
    }
  }
  return reports;
}

/** The cached kind binary, without building anything (nothing to clean up if it was never built). */
async function kindBinary(root: string): Promise<string | undefined> {
  const setup = (await import(pathToFileURL(join(root, 'bin', 'setup', 'kind.js')).href)) as {
    kindToolchainPaths(root: string): Promise<{ kind: string }>;
  };
  const { kind } = await setup.kindToolchainPaths(root);
  return existsSync(kind) ? kind : undefined;
}
