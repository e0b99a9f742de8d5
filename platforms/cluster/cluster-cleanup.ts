import type { CleanupOptions, CleanupReport } from '../../core/platform/cleanup.js';
import { reasonToClean } from '../state/cleanup.js';
import { loadStackStates, removeStackState } from '../state/stack-state.js';
import { teardownClusterRun } from './cluster-teardown.js';
import { findKubectl } from './find-kubectl.js';

/**
 * `gauntlet down` for cluster runs: the objects of a detached run, of a run whose harness died, or (with
 * `all` or `runId`) of any run recorded in this GAUNTLET_HOME are deleted by the run's label, with the
 * etcd host folders. Only recorded runs: Gauntlet never searches a cluster it was not pointed at.
 */
export async function cleanupClusterRuns(
  root: string,
  options: CleanupOptions = {},
): Promise<CleanupReport[]> {
  const requested = options.all === true || options.runId !== undefined;
  const states = loadStackStates().filter((state) => state.platform === 'cluster' && state.kube);
  if (states.length === 0) return [];
  const reports: CleanupReport[] = [];
  for (const state of states) {
    const kube = state.kube;
    if (!kube || (options.runId && state.runId !== options.runId)) continue;
    const reason = reasonToClean(state, requested);
    if (!reason) continue;
    // An attached run created nothing on the cluster (its port-forwards died with its harness).
    const stopped = kube.attached
      ? []
      : await teardownClusterRun({ runId: state.runId, kubectl: await findKubectl(root), ...kube });
    removeStackState(state.runId);
    reports.push({ runId: state.runId, platform: 'cluster', stopped, reason });
  }
  return reports;
}
