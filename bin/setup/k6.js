// @ts-check
// Builds k6 with Gauntlet's extensions (k6/x/sse, k6/x/gauntlet) and xk6-disruptor from tools/k6, once
// per set of inputs, into ~/.cache/gauntlet/k6/<key>/k6, and links it to <root>/.tools/bin/k6.
// Plain JavaScript because it runs before `npm run build`. xk6 is not used: it is not reachable through
// the module proxy here, and all it would do is generate the main package that tools/k6/main.go already is.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import {
  access,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
} from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, join, relative } from 'node:path';

/**
 * @typedef {object} K6Pins
 * @property {string} k6 k6 version, as in go.mod (`v1.8.1`)
 * @property {string} xk6Disruptor xk6-disruptor version, as in go.mod
 * @property {string} goMinimum oldest Go that builds k6 (`1.25`)
 * @property {string} extension our extension's module path
 * @property {string[]} sources folders (relative to the root) whose Go sources and go.mod/go.sum make the key
 * @property {number} cacheEpoch bump to force a rebuild with unchanged inputs
 */

/**
 * @typedef {object} EnsureK6Options
 * @property {string} root repository root
 * @property {boolean} [quiet] no progress lines
 * @property {(line: string) => void} [log] where progress lines go (default: console.log)
 * @property {number} [buildTimeoutMs] give up on `go build` after this long (default 30 minutes)
 * @property {import('./progress.js').StartProgress} [progress] shows the build's elapsed time (also when
 *   quiet); without it, a `log` line every 5 s unless quiet
 * @property {string} [expected] how long a build usually takes, for the progress display
 */

const PROGRESS_EVERY_MS = 5_000;
const DEFAULT_BUILD_TIMEOUT_MS = 30 * 60_000;
const VERSION_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_CHARS = 8_000;
const KEEP_CACHE_ENTRIES = 3;
const EXE = process.platform === 'win32' ? '.exe' : '';

/**
 * Makes `<root>/.tools/bin/k6` a k6 built from the pinned inputs, building it only when the cache has none.
 * @param {EnsureK6Options} options
 * @returns {Promise<string>} the path of the k6 binary under `<root>/.tools/bin`
 */
export async function ensureK6(options) {
  const {
    root,
    quiet = false,
    log = console.log,
    buildTimeoutMs = DEFAULT_BUILD_TIMEOUT_MS,
    progress,
    expected,
  } = options;
  if (typeof root !== 'string' || root === '') throw new Error('ensureK6: root must be the repository root');
  if (!Number.isFinite(buildTimeoutMs) || buildTimeoutMs <= 0) {
    throw new Error(`ensureK6: buildTimeoutMs must be a number > 0, got ${buildTimeoutMs}`);
  }
  const { pins, binary } = await k6CachePath(root);
  await requireOnPath(
    'go',
    `Go >= ${pins.goMinimum} is needed to build k6 (apt-get install golang-go, or https://go.dev/dl)`,
  );
  await requireOnPath('git', 'git is needed to build k6 (Go fetches modules with it; apt-get install git)');

  if (!(await isExecutable(binary))) {
    await requireGoVersion(pins.goMinimum);
    await build(join(root, 'tools', 'k6'), binary, pins, { quiet, log, buildTimeoutMs, progress, expected });
  }
  const linked = join(root, '.tools', 'bin', `k6${EXE}`);
  await linkTo(binary, linked);
  return linked;
}

/**
 * Where the k6 for the current inputs lives (or will live) in the cache:
 * `$XDG_CACHE_HOME or ~/.cache` + `/gauntlet/k6/<k6 version>-<hash of the inputs>/k6`.
 * @param {string} root repository root
 * @returns {Promise<{ pins: K6Pins, binary: string }>}
 */
export async function k6CachePath(root) {
  const buildDir = join(root, 'tools', 'k6');
  const pins = await readPins(join(buildDir, 'pins.json'));
  await checkGoModAgrees(join(buildDir, 'go.mod'), pins);
  const key = `${pins.k6}-${await inputsHash(root, pins)}`;
  return { pins, binary: join(cacheRoot(), key, `k6${EXE}`) };
}

/**
 * @param {string} file
 * @returns {Promise<K6Pins>}
 */
async function readPins(file) {
  /** @type {unknown} */
  const raw = JSON.parse(await readFile(file, 'utf8'));
  const pins = /** @type {Record<string, unknown>} */ (raw);
  for (const field of ['k6', 'xk6Disruptor', 'goMinimum', 'extension']) {
    if (typeof pins[field] !== 'string') throw new Error(`${file}: "${field}" must be a string`);
  }
  const sources = pins.sources;
  if (!Array.isArray(sources) || sources.length === 0 || !sources.every((s) => typeof s === 'string')) {
    throw new Error(`${file}: "sources" must be a non-empty array of folders`);
  }
  if (typeof pins.cacheEpoch !== 'number') throw new Error(`${file}: "cacheEpoch" must be a number`);
  return /** @type {K6Pins} */ (raw);
}

/**
 * go.mod is what the build really uses; pins.json is what people read. They must not drift apart.
 * @param {string} goModFile
 * @param {K6Pins} pins
 */
async function checkGoModAgrees(goModFile, pins) {
  const goMod = await readFile(goModFile, 'utf8');
  const required = [
    { module: 'go.k6.io/k6', version: pins.k6 },
    { module: 'github.com/grafana/xk6-disruptor', version: pins.xk6Disruptor },
  ];
  for (const { module, version } of required) {
    const found = new RegExp(`^\\s*(?:require\\s+)?${module.replaceAll('.', '\\.')}\\s+(\\S+)`, 'm').exec(
      goMod,
    )?.[1];
    if (found !== version) {
      throw new Error(
        `tools/k6/pins.json pins ${module} ${version} but tools/k6/go.mod requires ${found ?? 'nothing'}; ` +
          `make them agree (cd tools/k6 && go get ${module}@${version} && go mod tidy)`,
      );
    }
  }
}

/**
 * Hash of everything that changes the binary: pins, Go sources, go.mod and go.sum of the listed folders,
 * and the platform. Test files are left out: they do not end up in the binary.
 * @param {string} root
 * @param {K6Pins} pins
 */
async function inputsHash(root, pins) {
  const hash = createHash('sha256');
  hash.update(`${process.platform}/${process.arch}\0`);
  const files = [join(root, 'tools', 'k6', 'pins.json')];
  for (const dir of pins.sources) files.push(...(await listBuildInputs(join(root, dir))));
  files.sort();
  for (const file of files) {
    hash.update(`${relative(root, file).replaceAll('\\', '/')}\0`);
    hash.update(await readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * @param {string} dir
 * @returns {Promise<string[]>}
 */
async function listBuildInputs(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => /(?:^|[/\\])go\.(?:mod|sum)$/.test(f) || (f.endsWith('.go') && !f.endsWith('_test.go')));
}

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'gauntlet', 'k6');
}

/**
 * @param {string} buildDir
 * @param {string} target
 * @param {K6Pins} pins
 * @param {{ quiet: boolean, log: (line: string) => void, buildTimeoutMs: number, progress?: import('./progress.js').StartProgress, expected?: string | undefined }} how
 */
async function build(buildDir, target, pins, how) {
  const what = `k6 ${pins.k6} with xk6-disruptor ${pins.xk6Disruptor} and xk6-gauntlet`;
  const startedMs = Date.now();
  const elapsed = () => `${Math.round((Date.now() - startedMs) / 1000)} s`;
  if (!how.quiet) how.log(`building ${what}…`);
  const display = how.progress?.(`k6: building ${pins.k6}`, how.expected);
  const progress =
    display || how.quiet
      ? undefined
      : setInterval(() => how.log(`building ${what}… ${elapsed()}`), PROGRESS_EVERY_MS);
  // Built in a staging folder that is renamed to the cache entry only once verified, so an interrupted
  // build never looks cached. The binary keeps its name: `k6 version` prints argv[0].
  const entry = dirname(target);
  const staging = `${entry}.partial-${process.pid}`;
  const staged = join(staging, basename(target));
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const env = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };
    const result = await run('go', ['build', '-trimpath', '-buildvcs=false', '-o', staged, '.'], {
      cwd: buildDir,
      env,
      timeoutMs: how.buildTimeoutMs,
    });
    if (result.timedOut) {
      throw new Error(
        `building ${what} took longer than ${how.buildTimeoutMs} ms; gave up.\n${result.output}`,
      );
    }
    if (result.code !== 0)
      throw new Error(`building ${what} failed (go build exit ${result.code}):\n${result.output}`);
    await verify(staged, pins);
    // A concurrent setup may have finished the same entry first; its binary is as good as ours.
    if (!(await isExecutable(target))) {
      await rm(entry, { recursive: true, force: true });
      await rename(staging, entry);
    }
  } finally {
    if (progress) clearInterval(progress);
    display?.stop();
    await rm(staging, { recursive: true, force: true });
  }
  if (!how.quiet) how.log(`built ${what} in ${elapsed()}: ${target}`);
  await pruneCache(dirname(entry), KEEP_CACHE_ENTRIES);
}

/**
 * Each entry holds a ~120 MB binary; keep the newest few (other checkouts may still link to them).
 * @param {string} dir
 * @param {number} keep
 */
async function pruneCache(dir, keep) {
  const entries = await readdir(dir, { withFileTypes: true });
  const dated = [];
  for (const e of entries) {
    if (!e.isDirectory() || e.name.includes('.partial-')) continue;
    const info = await lstat(join(dir, e.name)).catch(() => undefined);
    if (info) dated.push({ path: join(dir, e.name), mtimeMs: info.mtimeMs });
  }
  dated.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of dated.slice(keep)) await rm(old.path, { recursive: true, force: true });
}

/**
 * @param {string} binary
 * @param {K6Pins} pins
 */
async function verify(binary, pins) {
  const result = await run(binary, ['version'], {
    cwd: undefined,
    env: { ...process.env, K6_AUTO_EXTENSION_RESOLUTION: 'false' },
    timeoutMs: VERSION_TIMEOUT_MS,
  });
  const out = result.output;
  const expected = [`${pins.k6} (`, 'k6/x/sse', 'k6/x/gauntlet', `xk6-disruptor ${pins.xk6Disruptor}`];
  const missing = expected.filter((s) => !out.includes(s));
  if (result.code !== 0 || missing.length > 0) {
    throw new Error(
      `the built k6 does not report ${missing.join(', ') || 'success'} in \`k6 version\`:\n${out}`,
    );
  }
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd: string | undefined, env: NodeJS.ProcessEnv, timeoutMs: number }} how
 * @returns {Promise<{ code: number | null, timedOut: boolean, output: string }>} output: stdout and stderr, last part
 */
function run(command, args, how) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: how.cwd, env: how.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    /** @param {Buffer} chunk */
    const collect = (chunk) => {
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
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, output });
    });
  });
}

/**
 * @param {string} minimum `major.minor`
 */
async function requireGoVersion(minimum) {
  const result = await run('go', ['env', 'GOVERSION'], {
    cwd: undefined,
    env: process.env,
    timeoutMs: 30_000,
  });
  const version = result.output.trim();
  const match = /^go(\d+)\.(\d+)/.exec(version);
  const [wantMajor = 0, wantMinor = 0] = minimum.split('.').map(Number);
  const major = Number(match?.[1]);
  const minor = Number(match?.[2]);
  if (!match || major < wantMajor || (major === wantMajor && minor < wantMinor)) {
    throw new Error(
      `Go >= ${minimum} is needed to build k6, found ${version || 'no version'} ` +
        '(apt-get install golang-go, or https://go.dev/dl)',
    );
  }
}

/**
 * @param {string} name
 * @param {string} message
 */
async function requireOnPath(name, message) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && (await isExecutable(join(dir, `${name}${EXE}`)))) return;
  }
  throw new Error(message);
}

/**
 * @param {string} file
 */
async function isExecutable(file) {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Points `link` at `target`, atomically replacing what was there; copies where symlinks are not allowed.
 * @param {string} target
 * @param {string} link
 */
async function linkTo(target, link) {
  const current = await lstat(link).catch(() => undefined);
  if (current?.isSymbolicLink() && (await readlink(link)) === target) return;
  await mkdir(dirname(link), { recursive: true });
  const temp = `${link}.link-${process.pid}`;
  await rm(temp, { force: true });
  try {
    await symlink(target, temp);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EPERM') throw err;
    await copyFile(target, temp);
  }
  await rename(temp, link);
}
