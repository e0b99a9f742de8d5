#!/usr/bin/env node
// @ts-check
// `npm test` after setup: the vitest projects in the order that keeps the suite short without letting a
// neighbour decide a latency verdict (test/support/lanes.ts says which file is in which lane, and why).
//
// three runs at the same time:
//   - quiet: the files that judge latency, one at a time, at normal CPU priority;
//   - shared: the others, two at a time. While the quiet lane runs, the local ones run at the idle
//     scheduling class (SCHED_IDLE: they get only CPU time the quiet lane leaves), and the ones whose
//     work runs in containers or kind clusters (which no priority of ours reaches) wait for it to end;
//   - unit, at the idle class from its start (its tests start nothing and time nothing). Run first and
//     alone it added its 40 s to the suite; beside the quiet lane it uses the CPU that lane leaves.
//     Without chrt (util-linux) it runs first and alone, as before.
//
// A whole run with every integration file alone measured the host 36 % busy: most of the quiet lane's time is
// fixed-length load on a stack that uses a fraction of the CPUs. Extra arguments go to every vitest run
// (a file filter, say). GAUNTLET_TEST_REPORT_DIR: each run also writes vitest's JSON report there
// (<project>.json), which .ci/run adds up. The run's private TMPDIR is made and removed here, also on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const reportDir = process.env.GAUNTLET_TEST_REPORT_DIR;
const tmp = mkdtempSync(join(tmpdir(), 'gauntlet-vitest-'));
const quietMarker = join(tmp, 'quiet-lane-running');
/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();

// The last processes of an interrupted run (stack services under PR_SET_PDEATHSIG) may still be writing
// their logs while they die: retried for a few seconds, and a folder that still will not go is named.
const removeTmp = () => {
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
 * One vitest run of one project; its lines carry the lane's name when runs share the terminal.
 * `idle`: the run and everything it starts is in the idle scheduling class (chrt, inherited by children).
 * @param {string} project
 * @param {string | undefined} prefix
 * @param {{ idle?: boolean }} [options]
 * @returns {Promise<number>}
 */
function vitest(project, prefix, { idle = false } = {}) {
  const reporters = reportDir
    ? ['--reporter=default', '--reporter=json', `--outputFile.json=${join(reportDir, `${project}.json`)}`]
    : [];
  const command = [
    process.execPath,
    join('node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--project',
    project,
    '--passWithNoTests',
    ...reporters,
    ...args,
  ];
  const [file, ...argv] = idle ? ['chrt', '--idle', '0', ...command] : command;
  const child = spawn(/** @type {string} */ (file), argv, {
    stdio: ['ignore', prefix ? 'pipe' : 'inherit', prefix ? 'pipe' : 'inherit'],
    env: { ...process.env, GAUNTLET_TEST_TMPDIR: tmp, TMPDIR: tmp, GAUNTLET_QUIET_LANE: quietMarker },
  });
  running.add(child);
  if (prefix) {
    for (const [from, to] of /** @type {const} */ ([
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ])) {
      let rest = '';
      from?.on('data', (chunk) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) to.write(`${prefix} ${line}\n`);
      });
      from?.on('end', () => rest && to.write(`${prefix} ${rest}\n`));
    }
  }
  return new Promise((resolve) =>
    child.once('close', (code) => {
      running.delete(child);
      resolve(code ?? 1);
    }),
  );
}

if (reportDir) mkdirSync(reportDir, { recursive: true });
const hasChrt = spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;
const unitFirst = hasChrt ? undefined : await vitest('unit', undefined);
if (interrupted) process.exit(130);
const unit = unitFirst ?? vitest('unit', '[unit]', { idle: true });
mkdirSync(quietMarker);
const quiet = vitest('integration-quiet', '[quiet]').then((code) => {
  rmSync(quietMarker, { recursive: true, force: true });
  return code;
});
const shared = vitest('integration', '[shared]');
const codes = await Promise.all([unit, quiet, shared]);
process.exitCode = interrupted ? 130 : (codes.find((code) => code !== 0) ?? 0);
