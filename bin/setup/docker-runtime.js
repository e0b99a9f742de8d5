// @ts-check
// Makes `docker run --privileged` work on hosts whose capability bounding set lacks CAP_SYS_RESOURCE
// (these machines): kind's node containers are privileged, and runc fails them with "unable to apply
// caps". tools/kind/runc-capfix is a runc wrapper that drops that capability from the container's spec;
// this module builds it, installs it at a fixed path and registers it in /etc/docker/daemon.json as
// dockerd's default runtime. kind has no option to choose a runtime, so it must be the default.
//
// dockerd 20.10 (Debian's docker.io) reloads both "runtimes" and "default-runtime" on SIGHUP (checked
// here: `docker info` shows the new default right after the signal), so a running engine is told with
// SIGHUP, never restarted. An engine started later reads the same daemon.json.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildIntoCache, gauntletCache, isExecutable, requireGoVersion, runChecked } from './go-build.js';

export const CAPFIX_RUNTIME = 'gauntlet-capfix';
export const CAPFIX_INSTALL_PATH = '/usr/local/libexec/gauntlet/runc-capfix';
const CAP_SYS_RESOURCE = 24;
const RELOAD_TIMEOUT_MS = 20_000;

/**
 * @typedef {object} DockerRuntimeOptions
 * @property {string} root repository root
 * @property {boolean} [quiet]
 * @property {(line: string) => void} [log]
 * @property {string} [daemonJson] default /etc/docker/daemon.json
 * @property {string} [installPath] default CAPFIX_INSTALL_PATH
 * @property {string} [dockerPidFile] default /var/run/docker.pid
 */

/**
 * Whether this host needs the wrapper: CAP_SYS_RESOURCE is missing from our bounding set.
 * @param {string} [statusText] contents of /proc/self/status (read when omitted)
 */
export async function capfixNeeded(statusText) {
  const text = statusText ?? (await readFile('/proc/self/status', 'utf8').catch(() => ''));
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  if (hex === undefined) return false;
  return (BigInt(`0x${hex}`) & (1n << BigInt(CAP_SYS_RESOURCE))) === 0n;
}

/**
 * Installs and registers the wrapper where the host needs it, and tells a running dockerd.
 * @param {DockerRuntimeOptions} options
 * @returns {Promise<string>} what was done, for setup's log
 */
export async function ensurePrivilegedContainers(options) {
  if (!(await capfixNeeded())) return 'not needed (CAP_SYS_RESOURCE is in the bounding set)';
  const installPath = options.installPath ?? CAPFIX_INSTALL_PATH;
  const daemonJson = options.daemonJson ?? '/etc/docker/daemon.json';
  const installed = await installCapfix(options, installPath);
  const changed = await registerRuntime(daemonJson, installPath);
  const pid = await runningDockerd(options.dockerPidFile ?? '/var/run/docker.pid');
  if (pid === undefined)
    return `${installed}; ${daemonJson} ${changed ? 'updated' : 'up to date'}; dockerd not running`;
  if (changed) process.kill(pid, 'SIGHUP');
  await waitForDefaultRuntime(CAPFIX_RUNTIME, RELOAD_TIMEOUT_MS);
  return `${installed}; dockerd (pid ${pid}) default runtime ${CAPFIX_RUNTIME}${changed ? ' (reloaded with SIGHUP)' : ''}`;
}

/**
 * Builds tools/kind/runc-capfix into the cache (keyed by its sources) and copies it to installPath.
 * @param {DockerRuntimeOptions} options
 * @param {string} installPath
 */
async function installCapfix(options, installPath) {
  const src = join(options.root, 'tools', 'kind', 'runc-capfix');
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'main.go']) hash.update(`${f}\0${await readFile(join(src, f), 'utf8')}\0`);
  hash.update(`${process.platform}/${process.arch}`);
  const entry = join(gauntletCache(), 'kind', 'runc-capfix', hash.digest('hex').slice(0, 16));
  const built = join(entry, 'runc-capfix');
  const how = { quiet: options.quiet ?? false, log: options.log ?? console.log };
  if (!(await isExecutable(built))) {
    await requireGoVersion('1.24', 'the runc wrapper (tools/kind/runc-capfix)');
    await buildIntoCache(
      {
        entry,
        what: 'runc-capfix',
        complete: 'runc-capfix',
        build: async (staging) => {
          await runChecked(
            'go build runc-capfix',
            'go',
            ['build', '-trimpath', '-o', join(staging, 'runc-capfix'), '.'],
            {
              cwd: src,
              env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
              timeoutMs: 10 * 60_000,
            },
          );
        },
        verify: async () => undefined,
      },
      how,
    );
  }
  const same = await Promise.all([readFile(built), readFile(installPath).catch(() => undefined)]).then(
    ([a, b]) => b !== undefined && a.equals(b),
  );
  if (same) return `${installPath} up to date`;
  // Copy then rename: dockerd may run the old wrapper at this very moment.
  await mkdir(dirname(installPath), { recursive: true });
  const temp = `${installPath}.new-${process.pid}`;
  await copyFile(built, temp);
  await chmod(temp, 0o755);
  await rename(temp, installPath);
  return `installed ${installPath}`;
}

/**
 * Merges our runtime into daemon.json as the default, keeping every other setting.
 * @param {string} daemonJson
 * @param {string} installPath
 * @returns {Promise<boolean>} whether the file changed
 */
export async function registerRuntime(daemonJson, installPath) {
  const before = await readFile(daemonJson, 'utf8').catch(() => undefined);
  const after = `${JSON.stringify(withCapfixRuntime(before, installPath, daemonJson), null, 2)}\n`;
  if (before !== undefined && JSON.stringify(JSON.parse(before)) === JSON.stringify(JSON.parse(after)))
    return false;
  await mkdir(dirname(daemonJson), { recursive: true });
  const temp = `${daemonJson}.new-${process.pid}`;
  await writeFile(temp, after);
  await rename(temp, daemonJson).catch(async (error) => {
    await rm(temp, { force: true });
    throw error;
  });
  return true;
}

/**
 * Pure: the daemon.json settings with our runtime registered and made the default.
 * @param {string | undefined} text current contents (undefined: no file)
 * @param {string} installPath
 * @param {string} file for error messages
 * @returns {Record<string, unknown>}
 */
export function withCapfixRuntime(text, installPath, file) {
  /** @type {unknown} */
  let parsed = {};
  if (text !== undefined && text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`${file}: not valid JSON (${/** @type {Error} */ (error).message}); fix it by hand`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file}: must hold a JSON object`);
  }
  const config = /** @type {Record<string, unknown>} */ ({ ...parsed });
  const runtimes = config.runtimes ?? {};
  if (typeof runtimes !== 'object' || runtimes === null || Array.isArray(runtimes)) {
    throw new Error(`${file}: "runtimes" must be an object`);
  }
  const current = config['default-runtime'];
  if (current !== undefined && current !== 'runc' && current !== CAPFIX_RUNTIME) {
    throw new Error(
      `${file}: "default-runtime" is "${String(current)}"; kind's privileged node containers need ` +
        `"${CAPFIX_RUNTIME}" on this host (CAP_SYS_RESOURCE is not in the bounding set). Change it by hand.`,
    );
  }
  config.runtimes = { ...runtimes, [CAPFIX_RUNTIME]: { path: installPath } };
  config['default-runtime'] = CAPFIX_RUNTIME;
  return config;
}

/**
 * @param {string} pidFile
 * @returns {Promise<number | undefined>}
 */
async function runningDockerd(pidFile) {
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * @param {string} runtime
 * @param {number} timeoutMs
 */
async function waitForDefaultRuntime(runtime, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    seen = await promisify(execFile)('docker', ['info', '-f', '{{.DefaultRuntime}}'], { timeout: 10_000 })
      .then((r) => r.stdout.trim())
      .catch((/** @type {Error} */ e) => e.message);
    if (seen === runtime) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `dockerd's default runtime is still "${seen}" ${timeoutMs} ms after the SIGHUP; ` +
      `check dockerd's log (an invalid daemon.json is reported there) or restart dockerd`,
  );
}
