import { setTimeout as sleep } from 'node:timers/promises';
import type { CleanupOptions, CleanupReport } from '../../core/platform/cleanup.js';
import { isSameProcessAlive, type ProcessIdentity } from '../../core/process/process-identity.js';
import { loadStackStates, removeStackState, type StackState } from './stack-state.js';

/** Kills every recorded process that is still the same process: SIGCONT, SIGTERM, then SIGKILL. */
export async function killRecorded(identities: ProcessIdentity[], graceMs = 1_500): Promise<number[]> {
  const alive = identities.filter(isSameProcessAlive);
  for (const id of alive) signal(id.pid, 'SIGCONT');
  for (const id of alive) signal(id.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive.some(isSameProcessAlive)) await sleep(25);
  for (const id of alive) if (isSameProcessAlive(id)) signal(id.pid, 'SIGKILL');
  const killDeadline = Date.now() + 2_000;
  while (Date.now() < killDeadline && alive.some(isSameProcessAlive)) await sleep(25);
  return alive.map((id) => id.pid);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/**
 * Stops detached stacks and stacks whose owner died, and forgets their state. A stack whose owning
 * harness is still alive in the foreground is left to it, unless `all` is set.
 */
export async function cleanupStacks(options: CleanupOptions = {}): Promise<CleanupReport[]> {
  const reports: CleanupReport[] = [];
  for (const state of loadStackStates()) {
    if (state.platform !== 'local') continue;
    if (options.runId && state.runId !== options.runId) continue;
    const reason = reasonToClean(state, options.all === true || options.runId !== undefined);
    if (!reason) continue;
    const killed = await killRecorded([...state.components, ...state.helpers]);
    removeStackState(state.runId);
    reports.push({
      runId: state.runId,
      platform: 'local',
      stopped: killed.map((pid) => `pid ${pid}`),
      reason,
    });
  }
  return reports;
}

/** Why `gauntlet down` removes a recorded stack, or undefined when its harness still runs it and nobody asked. */
export function reasonToClean(state: StackState, requested: boolean): CleanupReport['reason'] | undefined {
  if (state.detached) return 'detached';
  if (!state.owner || !isSameProcessAlive(state.owner)) return 'orphaned';
  return requested ? 'requested' : undefined;
}
