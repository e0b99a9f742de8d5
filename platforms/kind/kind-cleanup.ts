import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CleanupOptions, type CleanupReport, unrecordedRuns } from '../../core/platform/cleanup.js';
import { dockerEngineStatus } from '../docker/docker-cli.js';
import { reasonToClean } from '../state/cleanup.js';
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
 * `all` or `runId`) of any run of this GAUNTLET_HOME is deleted with its host routes. `gauntlet-*`
 * clusters without a record here are another home's (unrecordedRuns): `all` reports them and leaves them;
 * `runId` naming one deletes it. Test clusters (`gauntlet-test-*`) belong to the test that made them.
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
    const reason = reasonToClean(state, requested);
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
  if (requested) {
    const found = existing
      .filter((name) => !name.startsWith(`${prefix}test-`))
      .map((name) => name.slice(prefix.length));
    const recordedRuns = new Set([...recorded].map((name) => name.slice(prefix.length)));
    const { remove, leave } = unrecordedRuns(found, recordedRuns, options);
    for (const runId of remove) {
      await deleteKindCluster(kind, clusterNameOf(runId));
      reports.push({
        runId,
        platform: 'kind',
        stopped: [`kind cluster ${clusterNameOf(runId)}`],
        reason: 'requested',
      });
    }
    for (const runId of leave) {
      reports.push({
        runId,
        platform: 'kind',
        stopped: [],
        reason: 'unrecorded',
        hint: `\`gauntlet down --run ${runId}\` deletes kind cluster ${clusterNameOf(runId)}`,
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
