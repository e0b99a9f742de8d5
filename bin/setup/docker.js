// @ts-check
// The Docker engine for the docker platform (and kind): when no engine answers, install Debian's docker.io
// (only when dockerd is missing) and start dockerd by hand (this machine has no systemd), recording in a
// state file that Gauntlet started it, so that `.ci/run` stops that dockerd and never one it did not start.
// Idempotent; exported so other setup steps (the kind node image) can call it.
// Run directly: `node bin/setup/docker.js stop` stops the dockerd this file started (a no-op otherwise).

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { onPath, runStep } from './run-step.js';
import { aptInstall } from './tools.js';

/** @typedef {{ root: string, quiet: boolean, log: (m: string) => void }} StepOptions */
/** @typedef {{ pid: number, startTicks: string, socket: string, logFile: string, startedAt: string }} DockerdRecord */

const ENGINE_READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const INFO_TIMEOUT_MS = 10_000;

/** Where Gauntlet keeps what it started outside any one clone (shared with the k6 and toxiproxy caches). */
export function gauntletCacheDir() {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gauntlet');
}

export const dockerdRecordFile = () => join(gauntletCacheDir(), 'docker', 'dockerd.json');
export const dockerdLogFile = () => join(gauntletCacheDir(), 'docker', 'dockerd.log');

/**
 * The engine's answer to `docker info`, or why there is none. The client may be newer than the engine
 * (Docker 28 client, engine 20.10): the CLI negotiates the API version down by itself.
 * @returns {{ ok: true, serverVersion: string, apiVersion: string } | { ok: false, reason: string }}
 */
export function engineInfo() {
  if (!onPath('docker')) return { ok: false, reason: 'no docker client on PATH' };
  const result = spawnSync('docker', ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}'], {
    encoding: 'utf8',
    timeout: INFO_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    const reason = (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n')[0];
    return { ok: false, reason: reason ?? 'docker version failed' };
  }
  const [serverVersion = '?', apiVersion = '?'] = result.stdout.trim().split(/\s+/);
  return { ok: true, serverVersion, apiVersion };
}

/**
 * Makes a Docker engine answer: uses the one that runs, else installs docker.io when dockerd is missing and
 * starts it. Throws with the reason when no engine can be had (the docker tests then skip, saying why).
 * @param {StepOptions} options
 * @returns {Promise<string>}
 */
export async function ensureDockerEngine(options) {
  const running = engineInfo();
  if (running.ok) {
    const ours = readRecord();
    const whose = ours && isAlive(ours) ? 'started by gauntlet' : 'already running';
    return `engine ${running.serverVersion} (API ${running.apiVersion}), ${whose}`;
  }
  if (!onPath('dockerd')) {
    await aptInstall(['docker.io'], 'the docker platform needs a Docker engine (dockerd)', options);
    if (!onPath('dockerd')) throw new Error('dockerd is still not on PATH after installing docker.io');
  }
  const record = await startDockerd(options);
  const info = engineInfo();
  if (!info.ok) throw new Error(`dockerd (pid ${record.pid}) started but docker info fails: ${info.reason}`);
  return `engine ${info.serverVersion} (API ${info.apiVersion}) started by gauntlet (pid ${record.pid}, log ${record.logFile})`;
}

/**
 * Starts dockerd in its own session with its output in a log file, and waits (bounded) until the engine
 * answers. The record is written before the wait, so a setup that dies while waiting still leaves a
 * dockerd that `stop` can find.
 * @param {StepOptions} options
 * @returns {Promise<DockerdRecord>}
 */
async function startDockerd(options) {
  const logFile = dockerdLogFile();
  mkdirSync(join(gauntletCacheDir(), 'docker'), { recursive: true });
  const fd = openSync(logFile, 'a');
  // detached: the child calls setsid(), so dockerd gets its own session and outlives setup and its terminal.
  const child = spawn('dockerd', [], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = await new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start dockerd: ${error.message}`)));
    child.once('spawn', () => resolve(child.pid));
  });
  child.unref();
  if (typeof pid !== 'number') throw new Error('dockerd started without a pid');
  /** @type {DockerdRecord} */
  const record = {
    pid,
    startTicks: startTicksOf(pid) ?? '',
    socket: '/var/run/docker.sock',
    logFile,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(dockerdRecordFile(), `${JSON.stringify(record, null, 2)}\n`);
  if (!options.quiet) options.log(`  dockerd started (pid ${pid}), waiting for the engine`);

  const deadline = Date.now() + ENGINE_READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (!isAlive(record)) {
      rmSync(dockerdRecordFile(), { force: true });
      throw new Error(`dockerd exited while starting; last lines of ${logFile}:\n${tail(logFile)}`);
    }
    const info = engineInfo();
    if (info.ok) return record;
    last = info.reason;
    await sleep(250);
  }
  throw new Error(
    `dockerd (pid ${pid}) did not answer within ${ENGINE_READY_TIMEOUT_MS} ms (${last}); see ${logFile}:\n${tail(logFile)}`,
  );
}

/**
 * Stops the dockerd that ensureDockerEngine started, and only that one: the record's pid must still be the
 * same process (same start time), else it was another dockerd (or a recycled pid) and is left alone.
 * @returns {Promise<string>}
 */
export async function stopDockerdWeStarted() {
  const record = readRecord();
  if (!record) return 'no dockerd started by gauntlet';
  if (!isAlive(record)) {
    rmSync(dockerdRecordFile(), { force: true });
    return `the dockerd gauntlet started (pid ${record.pid}) is gone already`;
  }
  process.kill(record.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline && isAlive(record)) await sleep(100);
  if (isAlive(record)) {
    process.kill(record.pid, 'SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while (Date.now() < killDeadline && isAlive(record)) await sleep(50);
  }
  rmSync(dockerdRecordFile(), { force: true });
  return `stopped the dockerd gauntlet started (pid ${record.pid})`;
}

/**
 * Debian's nginx binary for the docker platform's load-balancer image, unpacked from its package into the
 * cache (`apt-get download` + `dpkg-deb -x`): installing it would start a system nginx on port 80.
 * The image build copies it and the libraries ldd lists (all in the base system) into a root filesystem.
 * @param {StepOptions} options
 * @returns {Promise<string>}
 */
export async function ensureNginxForImages(options) {
  const root = join(gauntletCacheDir(), 'nginx', 'root');
  const binary = join(root, 'usr', 'sbin', 'nginx');
  if (existsSync(binary)) return `nginx for the images: ${binary}`;
  if (!onPath('apt-get') || !onPath('dpkg-deb')) {
    throw new Error("the nginx image is made from Debian's nginx package: apt-get and dpkg-deb are needed");
  }
  const work = mkdtempSync(join(tmpdir(), 'gauntlet-nginx-'));
  try {
    const download = () =>
      runStep('apt-get download nginx', 'apt-get', ['download', '-qq', 'nginx'], { ...options, cwd: work });
    await download().catch(async () => {
      // A fresh machine may have no package lists yet.
      await runStep('apt-get update', 'apt-get', ['update', '-qq'], options);
      await download();
    });
    const deb = readdirSync(work).find((name) => name.startsWith('nginx_') && name.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download nginx left no nginx_*.deb in ${work}`);
    const unpacked = join(work, 'root');
    await runStep('dpkg-deb -x nginx', 'dpkg-deb', ['-x', join(work, deb), unpacked], options);
    mkdirSync(dirname(root), { recursive: true });
    rmSync(root, { recursive: true, force: true });
    renameSync(unpacked, root);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(binary)) throw new Error(`the nginx package has no usr/sbin/nginx (looked in ${root})`);
  return `nginx for the images unpacked into ${root}`;
}

/** @returns {DockerdRecord | undefined} */
function readRecord() {
  const file = dockerdRecordFile();
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** @param {DockerdRecord} record */
function isAlive(record) {
  const ticks = startTicksOf(record.pid);
  return ticks !== undefined && ticks === record.startTicks && stateOf(record.pid) !== 'Z';
}

/** Field 22 of /proc/PID/stat (start time in clock ticks): with the pid, it names one process for good. */
/** @param {number} pid */
function startTicksOf(pid) {
  return statFields(pid)?.[19];
}

/** @param {number} pid */
function stateOf(pid) {
  return statFields(pid)?.[0];
}

/** The fields of /proc/PID/stat after the command name (which may contain spaces). @param {number} pid */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** @param {string} file */
function tail(file) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  const log = (/** @type {string} */ m) => process.stderr.write(`${m}\n`);
  try {
    if (command === 'stop') log(`docker: ${await stopDockerdWeStarted()}`);
    else if (command === 'start')
      log(`docker: ${await ensureDockerEngine({ root: process.cwd(), quiet: false, log })}`);
    else {
      log('usage: node bin/setup/docker.js start|stop');
      process.exitCode = 3;
    }
  } catch (error) {
    log(`docker: ${/** @type {Error} */ (error).message}`);
    process.exitCode = 1;
  }
}
