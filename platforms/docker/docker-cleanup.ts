import { type CleanupOptions, type CleanupReport, unrecordedRuns } from '../../core/platform/cleanup.js';
import { reasonToClean } from '../state/cleanup.js';
import { loadStackStates, removeStackState } from '../state/stack-state.js';
import { docker, dockerEngineStatus } from './docker-cli.js';
import { leftByLabel, removeByLabel } from './stack/cleanup-by-label.js';
import { labelKeys } from './stack/labels.js';

/**
 * `gauntlet down` for docker runs: a detached run, a run whose harness died, or (with `all` or `runId`) any
 * run of this GAUNTLET_HOME is removed by its label. Runs labelled on the engine without a record here are
 * another home's (unrecordedRuns): `all` reports them and leaves them; `runId` naming one removes it.
 */
export async function cleanupDockerRuns(options: CleanupOptions = {}): Promise<CleanupReport[]> {
  const requested = options.all === true || options.runId !== undefined;
  const states = loadStackStates().filter((state) => state.platform === 'docker');
  if (states.length === 0 && !requested) return [];
  // Without an engine nothing of a run can be running; the records stay for a later `gauntlet down`.
  if (!(await dockerEngineStatus()).ok) return [];
  const reports: CleanupReport[] = [];
  const recorded = new Set<string>();
  for (const state of states) {
    recorded.add(state.runId);
    if (options.runId && state.runId !== options.runId) continue;
    const reason = reasonToClean(state, requested);
    if (!reason) continue;
    const stopped = await leftByLabel(state.runId);
    await removeByLabel(state.runId);
    removeStackState(state.runId);
    reports.push({ runId: state.runId, platform: 'docker', stopped, reason });
  }
  if (requested) {
    const { remove, leave } = unrecordedRuns(await labelledRuns(), recorded, options);
    for (const runId of remove) {
      const stopped = await leftByLabel(runId);
      await removeByLabel(runId);
      reports.push({ runId, platform: 'docker', stopped, reason: 'requested' });
    }
    for (const runId of leave) {
      reports.push({
        runId,
        platform: 'docker',
        stopped: [],
        reason: 'unrecorded',
        hint: `its containers are labelled ${labelKeys.run}=${runId}; \`gauntlet down --run ${runId}\` removes them`,
      });
    }
  }
  return reports;
}

async function labelledRuns(): Promise<string[]> {
  // `ps` and `network ls` give .Labels as one string; .Label looks one key up in it.
  const format = `{{.Label "${labelKeys.run}"}}`;
  const [containers, networks] = await Promise.all([
    docker(['ps', '-a', '--filter', `label=${labelKeys.run}`, '--format', format]),
    docker(['network', 'ls', '--filter', `label=${labelKeys.run}`, '--format', format]),
  ]);
  return [...new Set(`${containers}\n${networks}`.split('\n').filter((id) => id.trim() !== ''))];
}
