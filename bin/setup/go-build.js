// @ts-check
// Building Go programs into a content-keyed cache entry under ~/.cache/gauntlet: run a command with a
// time limit, build into a staging folder, verify, then rename it into place, so an interrupted build
// never looks cached. Shared by the kind toolchain (bin/setup/kind.js) and the runc wrapper.

import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

const OUTPUT_TAIL_CHARS = 8_000;
const PROGRESS_EVERY_MS = 15_000;

/**
 * @typedef {object} RunResult
 * @property {number | null} code exit code (null when killed)
 * @property {boolean} timedOut
 * @property {string} output the last part of stdout and stderr together
 */

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs: number }} how
 * @returns {Promise<RunResult>}
 */
export function run(command, args, how) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: how.cwd,
      env: how.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (/** @type {Buffer} */ chunk) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, how.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, output });
    });
  });
}

/**
 * Runs a command that must succeed; the error names what was being done and shows the output's tail.
 * @param {string} what
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs: number }} how
 */
export async function runChecked(what, command, args, how) {
  const result = await run(command, args, how);
  if (result.timedOut)
    throw new Error(`${what} took longer than ${how.timeoutMs} ms; gave up.\n${result.output}`);
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.output}`);
  return result.output;
}

/**
 * The command line that runs `command` at the lowest CPU and I/O priority: a cold Kubernetes build
 * keeps every core busy for a long time, and other work on the machine must not starve.
 * @param {string} command
 * @param {string[]} args
 * @returns {[string, string[]]}
 */
export function politely(command, args) {
  return ['nice', ['-n', '19', 'ionice', '-c', '3', command, ...args]];
}

/** `$XDG_CACHE_HOME or ~/.cache` + `/gauntlet`. */
export function gauntletCache() {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gauntlet');
}

/** @param {string} file */
export async function isExecutable(file) {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fills the cache folder `entry` by running `build(staging)` then `verify(staging)` on a fresh staging
 * folder and renaming it to `entry`. A concurrent setup that finished first wins; its output is as good.
 * @param {object} job
 * @param {string} job.entry the cache folder to create
 * @param {string} job.what what is built, for progress lines and errors
 * @param {(staging: string) => Promise<void>} job.build
 * @param {(staging: string) => Promise<void>} job.verify
 * @param {string} job.complete a file inside the entry whose presence means the entry is whole
 * @param {{ quiet: boolean, log: (line: string) => void }} how
 */
export async function buildIntoCache(job, how) {
  const startedMs = Date.now();
  const elapsed = () => `${Math.round((Date.now() - startedMs) / 1000)} s`;
  if (!how.quiet) how.log(`building ${job.what}…`);
  const progress = how.quiet
    ? undefined
    : setInterval(() => how.log(`building ${job.what}… ${elapsed()}`), PROGRESS_EVERY_MS);
  const staging = `${job.entry}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await job.build(staging);
    await job.verify(staging);
    if (!(await isExecutable(join(job.entry, job.complete)))) {
      await rm(job.entry, { recursive: true, force: true });
      await rename(staging, job.entry);
    }
  } finally {
    if (progress) clearInterval(progress);
    await rm(staging, { recursive: true, force: true });
  }
  if (!how.quiet) how.log(`built ${job.what} in ${elapsed()}: ${job.entry}`);
}

/**
 * @param {string} minimum `major.minor`
 * @param {string} forWhat
 */
export async function requireGoVersion(minimum, forWhat) {
  const result = await run('go', ['env', 'GOVERSION'], { timeoutMs: 30_000 }).catch(() => undefined);
  const version = result?.output.trim() ?? '';
  const match = /^go(\d+)\.(\d+)/.exec(version);
  const [wantMajor = 0, wantMinor = 0] = minimum.split('.').map(Number);
  const major = Number(match?.[1]);
  const minor = Number(match?.[2]);
  if (!match || major < wantMajor || (major === wantMajor && minor < wantMinor)) {
    throw new Error(
      `Go >= ${minimum} is needed to build ${forWhat}, found ${version || 'no go on PATH'} ` +
        '(apt-get install golang-go, or https://go.dev/dl)',
    );
  }
}
