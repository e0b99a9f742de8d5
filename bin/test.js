#!/usr/bin/env node
// @ts-check
// `npm test` after setup: the vitest projects one after the other, one vitest run each: unit, then the
// precise integration files (one at a time: they judge the harness's own timing), the quiet ones (two at a
// time: they judge latency), then the shared ones (two at a time). test/support/lanes.ts says which file is
// in which group, and why the groups do not run side by side. The same order as a plain `vitest run`; run
// from here so that the run's private TMPDIR is made and removed here, also after Ctrl-C, once the
// processes of an interrupted run have stopped.
// Extra arguments go to every vitest run (a file filter, say). GAUNTLET_TEST_REPORT_DIR: each run also
// writes vitest's JSON report there (<project>.json), which .ci/run adds up.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const reportDir = process.env.GAUNTLET_TEST_REPORT_DIR;
const tmp = mkdtempSync(join(tmpdir(), 'gauntlet-vitest-'));
/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();

/**
 * Processes other than this one that were started with this run's TMPDIR (vitest's, and what their tests
 * started: CLIs, stacks), found by their environment in /proc; none where /proc cannot be read.
 * @returns {number[]}
 */
function processesOfThisRun() {
  const mark = `GAUNTLET_TEST_TMPDIR=${tmp}\0`;
  /** @type {number[]} */
  const pids = [];
  /** @type {string[]} */
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(mark)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile, or a zombie.
    }
  }
  return pids;
}

// An interrupted run's last processes still write into the folder while they stop: a CLI that was cut
// short writes what it measured (its run marked incomplete), after its vitest worker is gone, so that
// removing the folder first would leave that report behind in a folder made anew. Removal waits for them
// (at most 30 s; this runs in the exit handler, so the wait is a synchronous sleep between looks at /proc),
// then retries for a few seconds, and a folder that still will not go is named.
const removeTmp = () => {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 30_000;
  let waited = false;
  while (processesOfThisRun().length > 0 && Date.now() < deadline) {
    if (!waited) console.error('waiting for the processes of the interrupted run to stop');
    waited = true;
    Atomics.wait(pause, 0, 0, 200);
  }
  try {
    rmSync(tmp, { recursive: true, force: true, maxRetries: 30, retryDelay: 100 });
  } catch (error) {
    console.error(`could not remove ${tmp}: ${/** @type {Error} */ (error).message}`);
  }
};
process.once('exit', removeTmp);
let interrupted = false;
// Ctrl-C reaches every process of the terminal's group, the vitest runs included, which stop their workers
// (and those their processes) themselves; a SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => {
  interrupted = true;
});
process.on('SIGTERM', () => {
  interrupted = true;
  for (const child of running) child.kill('SIGTERM');
});

/**
 * One vitest run of one project.
 * @param {string} project
 * @returns {Promise<number>}
 */
function vitest(project) {
  const reporters = reportDir
    ? ['--reporter=default', '--reporter=json', `--outputFile.json=${join(reportDir, `${project}.json`)}`]
    : [];
  const child = spawn(
    process.execPath,
    [
      join('node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--project',
      project,
      '--passWithNoTests',
      ...reporters,
      ...args,
    ],
    { stdio: 'inherit', env: { ...process.env, GAUNTLET_TEST_TMPDIR: tmp, TMPDIR: tmp } },
  );
  running.add(child);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      running.delete(child);
      resolve(code ?? 1);
    }),
  );
}

if (reportDir) mkdirSync(reportDir, { recursive: true });
/** @type {number[]} */
const codes = [];
for (const project of ['unit', 'integration-precise', 'integration-quiet', 'integration']) {
  codes.push(await vitest(project));
  if (interrupted) break;
}
process.exitCode = interrupted ? 130 : (codes.find((code) => code !== 0) ?? 0);
