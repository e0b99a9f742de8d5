import { existsSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { schedule, selfAndDescendants } from './cpu-class.js';
import { containerIntegrationFiles } from './lanes.js';

/**
 * Setup file of the shared integration files, for when bin/test.js runs them beside the quiet lane (the
 * marker directory GAUNTLET_QUIET_LANE exists while it runs; without it, as under a plain `vitest run`,
 * this does nothing):
 * - a file whose work runs in containers or kind clusters waits for the quiet lane to end: the engine runs
 *   it at its own priority, which the lane's latency verdicts would feel;
 * - any other file moves itself, and so every process it starts, to the idle scheduling class: the kernel
 *   gives it only CPU time that no normal task wants, and a quiet-lane task that wakes preempts it. When the
 *   quiet lane ends, the file and what it started go back to the normal class, so that they are not starved
 *   by the container files that start then.
 */
const marker = process.env.GAUNTLET_QUIET_LANE;
const quietLaneRunning = () => marker !== undefined && existsSync(marker);

/**
 * Calls `then` once the quiet lane's marker is gone, woken by a watch on its folder (and, should the watch miss
 * the event, by a check every 5 s); returns the cancel.
 */
function whenQuietLaneEnds(then: () => void): () => void {
  const folder = dirname(marker as string);
  const check = () => {
    if (quietLaneRunning()) return;
    cancel();
    then();
  };
  const watcher = watch(folder, check);
  const fallback = setInterval(check, 5_000);
  function cancel() {
    watcher.close();
    clearInterval(fallback);
  }
  check();
  return cancel;
}

let cancelWatch: (() => void) | undefined;

// biome-ignore lint/correctness/noEmptyPattern: vitest parses a hook's first parameter as a fixture pattern.
beforeAll(async ({}, suite) => {
  if (!quietLaneRunning()) return;
  if (containerIntegrationFiles.some((file) => suite.file.filepath.endsWith(`/${file}`))) {
    await new Promise<void>((resolve) => {
      cancelWatch = whenQuietLaneEnds(resolve);
    });
    return;
  }
  schedule([process.pid], '--idle');
  cancelWatch = whenQuietLaneEnds(() => schedule(selfAndDescendants(), '--other'));
}, 60 * 60_000);

afterAll(() => {
  cancelWatch?.();
});
