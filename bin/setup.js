#!/usr/bin/env node
// @ts-check
// `npm run setup`: installs what Gauntlet needs, idempotently (seconds when everything is there).
// Order matters: npm dependencies and the TypeScript build first, then the external tools.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDockerEngine, ensureNginxForImages } from './setup/docker.js';
import { ensureK6 } from './setup/k6.js';
import { runStep } from './setup/run-step.js';
import { ensureChromium, ensureEtcd, ensureToxiproxy } from './setup/tools.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (/** @type {string} */ m) => process.stderr.write(`${m}\n`);
const options = { root, quiet, log };

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 18)) {
  log(`gauntlet setup: Node.js >= 20.18 is needed (this is ${process.versions.node})`);
  process.exit(3);
}

/** npm ci when node_modules is missing or older than the lock file. */
async function ensureNpmDeps() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return 'up to date';
  await runStep('npm ci', 'npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], options);
  return 'installed';
}

async function build() {
  await runStep(
    'TypeScript build',
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { ...options, cwd: root },
  );
  return 'dist/ up to date';
}

/** @type {Array<[string, () => Promise<string>]>} */
const steps = [
  ['npm dependencies', ensureNpmDeps],
  ['build', build],
  ['etcd', () => ensureEtcd(options)],
  ['k6', async () => `${await ensureK6({ root, quiet, log })}`],
  ['toxiproxy', () => ensureToxiproxy(options)],
  ['chromium', () => ensureChromium(options)],
  ['docker engine', () => ensureDockerEngine(options)],
  ['nginx for the docker images', () => ensureNginxForImages(options)],
];
// Without these the rest of Gauntlet still works: setup says why, and their tests skip saying so.
const optional = new Set(['docker engine', 'nginx for the docker images']);

let failed = false;
for (const [name, step] of steps) {
  const started = Date.now();
  if (!quiet) log(`setup: ${name}...`);
  try {
    const what = await step();
    if (!quiet) log(`setup: ${name}: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    const message = /** @type {Error} */ (error).message;
    if (optional.has(name)) {
      log(`setup: ${name}: not available, its tests will skip: ${message}`);
      continue;
    }
    failed = true;
    log(`setup: ${name}: ${message}`);
    if (name === 'npm dependencies' || name === 'build') break;
  }
}
if (failed) {
  log('gauntlet setup: not everything is installed; see the messages above');
  process.exit(3);
}
if (!quiet) log('setup: everything is installed');
