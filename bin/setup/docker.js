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
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gauntletCacheDir } from './cache-dir.js';
import { shortPath } from './format.js';
import { progressReporter } from './progress.js';
import { onPath, runStep } from './run-step.js';
import { aptInstall } from './tools.js';

/** @typedef {import('./tools.js').StepOptions} StepOptions */
/** @typedef {import('./tools.js').StepOutcome} StepOutcome */
/** @typedef {{ pid: number, startTicks: string, socket: string, logFile: string, startedAt: string }} DockerdRecord */

const ENGINE_READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const INFO_TIMEOUT_MS = 10_000;

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
 * starts it. Throws with the reason when no engine can be had.
 * @param {StepOptions} options
 * @returns {Promise<StepOutcome>}
 */
export async function ensureDockerEngine(options) {
  const running = engineInfo();
  if (running.ok) {
    const ours = readRecord();
    const note =
      ours && isAlive(ours) ? `dockerd started by gauntlet (pid ${ours.pid})` : 'an engine that was running';
    return {
      status: 'present',
      version: `engine ${running.serverVersion} (API ${running.apiVersion})`,
      note,
    };
  }
  if (!onPath('dockerd')) {
    options.announce('installing the Debian package docker.io with apt-get (~1 min)');
    await aptInstall(
      ['docker.io'],
      'the docker platform needs a Docker engine (dockerd)',
      'usually about a minute',
      options,
    );
    if (!onPath('dockerd')) throw new Error('dockerd is still not on PATH after installing docker.io');
  }
  options.announce('starting dockerd (no systemd here), waiting for the engine to answer');
  const record = await startDockerd();
  const info = engineInfo();
  if (!info.ok) throw new Error(`dockerd (pid ${record.pid}) started but docker info fails: ${info.reason}`);
  return {
    status: 'installed',
    version: `engine ${info.serverVersion} (API ${info.apiVersion})`,
    note: `dockerd started by gauntlet (pid ${record.pid}, log ${shortPath(record.logFile)})`,
  };
}

/**
 * The setup step: the docker platform is optional, so a machine without an engine skips it, saying why
 * (and the docker tests skip, saying the same).
 * @param {StepOptions} options
 * @returns {Promise<StepOutcome>}
 */
export async function dockerEngineStep(options) {
  try {
    return await ensureDockerEngine(options);
  } catch (error) {
    return {
      status: 'skipped',
      note: `no Docker engine: ${/** @type {Error} */ (error).message.split('\n')[0]}`,
    };
  }
}

/**
 * Starts dockerd in its own session with its output in a log file, and waits (bounded) until the engine
 * answers. The record is written before the wait, so a setup that dies while waiting still leaves a
 * dockerd that `stop` can find.
 * @returns {Promise<DockerdRecord>}
 */
async function startDockerd() {
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
 * @returns {Promise<StepOutcome>}
 */
export async function ensureNginxForImages(options) {
  const root = join(gauntletCacheDir(), 'nginx', 'root');
  const binary = join(root, 'usr', 'sbin', 'nginx');
  if (existsSync(binary)) return { status: 'present', path: binary };
  if (!onPath('apt-get') || !onPath('dpkg-deb')) {
    return {
      status: 'skipped',
      note: "the nginx image is made from Debian's nginx package: apt-get and dpkg-deb are needed",
    };
  }
  options.announce("unpacking Debian's nginx package for the docker images (not installed as a service)");
  const work = mkdtempSync(join(tmpdir(), 'gauntlet-nginx-'));
  let version = '';
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
    version = deb.replace(/^nginx_|_amd64\.deb$/g, '');
    const unpacked = join(work, 'root');
    await runStep('dpkg-deb -x nginx', 'dpkg-deb', ['-x', join(work, deb), unpacked], options);
    mkdirSync(dirname(root), { recursive: true });
    rmSync(root, { recursive: true, force: true });
    renameSync(unpacked, root);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!existsSync(binary)) throw new Error(`the nginx package has no usr/sbin/nginx (looked in ${root})`);
  return { status: 'installed', version, path: binary };
}

/**
 * The setup step for the nginx binary: optional like the engine, so a failure is a skip that says why.
 * @param {StepOptions} options
 * @returns {Promise<StepOutcome>}
 */
export async function nginxForImagesStep(options) {
  try {
    return await ensureNginxForImages(options);
  } catch (error) {
    return {
      status: 'skipped',
      note: `no nginx image: ${/** @type {Error} */ (error).message.split('\n')[0]}`,
    };
  }
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
    else if (command === 'start') {
      const outcome = await ensureDockerEngine({
        root: process.cwd(),
        announce: (what) => log(`docker: ${what}`),
        progress: progressReporter({ stream: process.stderr }),
      });
      log(`docker: ${outcome.version ?? ''} ${outcome.note ?? ''}`);
    } else {
      log('usage: node bin/setup/docker.js start|stop');
      process.exitCode = 3;
    }
  } catch (error) {
    log(`docker: ${/** @type {Error} */ (error).message}`);
    process.exitCode = 1;
  }
}
