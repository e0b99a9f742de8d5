// @ts-check
// The Python peer clients (GuideLLM, openai-python) that the peer-compatibility tests run against the
// gateway: a venv built from bin/setup/python-requirements.txt into ~/.cache/gauntlet/python/<key> (or under
// $XDG_CACHE_HOME; shared by clones, like the k6 and toxiproxy builds) and linked as <root>/.tools/py. The key is the lock file and
// the Python version, so a changed pin builds a new venv and an unchanged one costs nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gauntletCacheDir } from './cache-dir.js';
import { runStep } from './run-step.js';

/** @typedef {import('./tools.js').StepOptions} StepOptions */

export const pythonRequirements = join(dirname(fileURLToPath(import.meta.url)), 'python-requirements.txt');
/** @type {[number, number]} */
const MIN_PYTHON = [3, 10];

/** The python3 on PATH and its version, or undefined when there is none. */
function findPython() {
  const probe = spawnSync('python3', ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0) return undefined;
  return { command: 'python3', version: probe.stdout.trim() };
}

/**
 * Makes <root>/.tools/py a venv with the pinned peer clients. Without python3 it installs nothing and says
 * so (the peer tests then skip, saying why); a python3 that is too old or has no venv module is an error.
 * @param {StepOptions} options
 * @returns {Promise<import('./tools.js').StepOutcome>}
 */
export async function ensurePythonPeers(options) {
  const python = findPython();
  if (!python) {
    return {
      status: 'skipped',
      note: 'no python3 on PATH (the GuideLLM and openai-python peer tests will skip)',
    };
  }
  const [major = 0, minor = 0] = python.version.split('.').map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new Error(
      `python3 ${python.version} is too old for GuideLLM; install Python >= ${MIN_PYTHON.join('.')}`,
    );
  }
  const lock = readFileSync(pythonRequirements, 'utf8');
  const key = createHash('sha256').update(`${python.version}\n${lock}`).digest('hex').slice(0, 16);
  const venv = gauntletCacheDir('python', key);
  const complete = join(venv, '.gauntlet-complete');
  const built = !existsSync(complete);
  if (built) {
    options.announce(
      'installing GuideLLM and openai-python into a venv (first time only: torch makes it ~5 GB and 10-20 min on a cold machine)',
    );
    // A venv left half-built by an interrupted run is rebuilt from scratch.
    rmSync(venv, { recursive: true, force: true });
    mkdirSync(dirname(venv), { recursive: true });
    const started = Date.now();
    await runStep(`python3 -m venv ${venv}`, python.command, ['-m', 'venv', venv], options).catch((error) => {
      throw new Error(
        `${error.message}\n(on Debian/Ubuntu: apt-get install python3-venv, then run npm run setup again)`,
      );
    });
    await runStep(
      'pip install the Python peer clients (GuideLLM with torch: a few GB, minutes on a cold machine)',
      join(venv, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--no-deps',
        '--only-binary=:all:',
        '--disable-pip-version-check',
        '--no-input',
        '-r',
        pythonRequirements,
      ],
      options,
    );
    writeFileSync(complete, `${new Date().toISOString()} ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  linkInto(join(options.root, '.tools', 'py'), venv);
  return {
    status: built ? 'installed' : 'present',
    version: `Python ${python.version}`,
    path: join(options.root, '.tools', 'py'),
    note: `GuideLLM and openai-python, venv ${key}`,
  };
}

/**
 * Points `link` at `target`, replacing a link to an older venv.
 * @param {string} link
 * @param {string} target
 */
function linkInto(link, target) {
  mkdirSync(dirname(link), { recursive: true });
  let current;
  try {
    current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : 'not a link';
  } catch {
    current = undefined;
  }
  if (current === target) return;
  if (current !== undefined) rmSync(link, { recursive: true, force: true });
  symlinkSync(target, link, 'dir');
}
