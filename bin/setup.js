#!/usr/bin/env node
// @ts-check
// `npm run setup`: installs what Gauntlet needs, idempotently (seconds when everything is there).
// Order matters: npm dependencies and the TypeScript build first, then the external tools.
// Every step that does work says so first, with how long it usually takes; long commands show their elapsed
// time; the end is a summary of what is where. --quiet (npm start, npm test): the same one line per step
// that does work, and a one-line ending when nothing new was installed.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionlintStep } from './setup/actionlint.js';
import { disruptorAgentStep } from './setup/disruptor-agent.js';
import { dockerEngineStep, engineInfo, nginxForImagesStep } from './setup/docker.js';
import { ensurePrivilegedContainers } from './setup/docker-runtime.js';
import { formatDuration, readyLine, renderSummary, shortPath, wantsFullSummary } from './setup/format.js';
import { ensureK6, k6CachePath } from './setup/k6.js';
import { ensureKindToolchain } from './setup/kind.js';
import { ensureKindNodeImage, NODE_IMAGE_ENV } from './setup/kind-node-image.js';
import { progressReporter } from './setup/progress.js';
import { ensurePythonPeers } from './setup/python.js';
import { onPath, runStep } from './setup/run-step.js';
import {
  aptInstall,
  ensureChromium,
  ensureEtcd,
  ensureNginx,
  ensurePrometheus,
  ensureToxiproxy,
} from './setup/tools.js';

/** @typedef {import('./setup/tools.js').StepOptions} StepOptions */
/** @typedef {import('./setup/tools.js').StepOutcome} StepOutcome */
/** @typedef {import('./setup/format.js').StepResult} StepResult */

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (/** @type {string} */ m) => process.stderr.write(`${m}\n`);
const progress = progressReporter({ stream: process.stderr });

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 18)) {
  log(`gauntlet setup: Node.js >= 20.18 is needed (this is ${process.versions.node})`);
  process.exit(3);
}

/** The first k6 build compiles k6 and its extensions and fetches their modules: the slow part of setup. */
const K6_EXPECTED = 'the first build takes ~6 min on 2 cores';

/** npm ci when node_modules is missing or older than the lock file. @param {StepOptions} options @returns {Promise<StepOutcome>} */
async function ensureNpmDeps(options) {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  /** @type {{ packages?: Record<string, unknown> }} */
  const lockJson = JSON.parse(readFileSync(lock, 'utf8'));
  const count = Math.max(0, Object.keys(lockJson.packages ?? {}).length - 1);
  const where = { version: `${count} packages`, path: join(root, 'node_modules') };
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) {
    return { status: 'present', ...where };
  }
  options.announce(`npm ci: installing ${count} packages from package-lock.json (~1 min)`);
  await runStep('npm ci', 'npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], {
    ...options,
    expected: 'usually about a minute',
  });
  return { status: 'installed', ...where };
}

/** @param {StepOptions} options @returns {Promise<StepOutcome>} */
async function build(options) {
  const first = !existsSync(join(root, 'dist', '.tsbuildinfo'));
  options.announce(
    first
      ? 'compiling TypeScript into dist/ (first time ~1 min; later runs are incremental)'
      : 'compiling what changed into dist/ (incremental, usually well under a minute)',
  );
  await runStep(
    'build: tsc',
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    { ...options, cwd: root },
  );
  return { status: 'rebuilt', path: join(root, 'dist') };
}

/** @param {string} file */
function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @param {StepOptions} options @returns {Promise<StepOutcome>} */
async function k6(options) {
  const { pins, binary } = await k6CachePath(root);
  const cached = isExecutable(binary);
  if (!cached) {
    options.announce(
      `building ${pins.k6} from source with xk6-disruptor ${pins.xk6Disruptor} and our extension ` +
        `(first time only, ~6 min on 2 cores; cached in ${shortPath(dirname(binary))})`,
    );
  }
  const linked = await ensureK6({ root, quiet: true, progress: options.progress, expected: K6_EXPECTED });
  return {
    status: cached ? 'present' : 'installed',
    version: pins.k6,
    path: linked,
    note: `-> ${shortPath(binary)} (with xk6-disruptor ${pins.xk6Disruptor}, k6/x/sse, k6/x/gauntlet)`,
  };
}

/** @type {Array<{ name: string, run: (options: StepOptions) => Promise<StepOutcome>, essential?: boolean }>} */
const steps = [
  { name: 'npm dependencies', run: ensureNpmDeps, essential: true },
  { name: 'build', run: build, essential: true },
  { name: 'etcd', run: ensureEtcd },
  { name: 'k6', run: k6 },
  { name: 'toxiproxy', run: ensureToxiproxy },
  { name: 'chromium', run: ensureChromium },
  { name: 'prometheus', run: ensurePrometheus },
  { name: 'nginx', run: ensureNginx },
  { name: 'python peer clients', run: ensurePythonPeers },
  { name: 'actionlint', run: actionlintStep },
  { name: 'docker engine', run: dockerEngineStep },
  { name: 'nginx for docker images', run: nginxForImagesStep },
];
// Real Kubernetes on kind without a registry (tools/kind/README.md), for `--platform kind` and its tests.
// A cold toolchain is a long build (about 15 minutes on 2 cores) at the lowest priority, cached outside
// the clone afterwards; the node image needs root and a running docker engine. GAUNTLET_SETUP_KIND=0
// skips it (the kind tests then skip and say so).
/**
 * A kind step runs only where the docker engine step left an engine answering; elsewhere it is skipped,
 * saying why (the kind tests skip with the same reason).
 * @param {(options: StepOptions) => Promise<StepOutcome>} run
 * @returns {(options: StepOptions) => Promise<StepOutcome>}
 */
const kindStep = (run) => async (options) => {
  const engine = engineInfo();
  if (!engine.ok) return { status: 'skipped', note: `kind needs a Docker engine: ${engine.reason}` };
  return run(options);
};
// `--no-kind` (npm start: the local gate needs none of it) skips it as well.
if (process.env.GAUNTLET_SETUP_KIND !== '0' && !process.argv.includes('--no-kind')) {
  steps.push(
    {
      name: 'docker --privileged',
      run: kindStep(async (options) => ({
        status: 'present',
        note: await ensurePrivilegedContainers(options),
      })),
    },
    {
      name: 'kind toolchain',
      run: kindStep(async (options) => {
        const toolchain = await ensureKindToolchain(options);
        return toolchain.built.length > 0
          ? {
              status: 'installed',
              path: toolchain.kubernetesDir,
              note: `built ${toolchain.built.join(', ')}`,
            }
          : { status: 'present', path: toolchain.kubernetesDir };
      }),
    },
    {
      name: 'kind node image',
      run: kindStep(async (options) => {
        // node-image.sh builds the node's root file system with debootstrap; a fresh machine lacks it.
        if (!process.env[NODE_IMAGE_ENV] && !onPath('debootstrap')) {
          options.announce(
            'installing the Debian package debootstrap with apt-get, for the kind node image (~15 s)',
          );
          await aptInstall(
            ['debootstrap'],
            'debootstrap is needed to build the kind node image',
            'usually under 30 s',
            options,
          );
        }
        return { status: 'present', note: await ensureKindNodeImage(options) };
      }),
    },
    // The image k6's xk6-disruptor injects into pods (ghcr.io/grafana/xk6-disruptor-agent), made from the
    // agent's Go module and this machine's iptables (bin/setup/disruptor-agent.js); kind clusters get it with
    // `kind load docker-image`. First time under a minute (go build, then docker import), later ~0.1 s.
    { name: 'disruptor agent image', run: kindStep(disruptorAgentStep) },
  );
}

const setupStartedMs = Date.now();
/** @type {StepResult[]} */
const results = [];
for (const step of steps) {
  const startedMs = Date.now();
  let announced = false;
  /** @type {StepOptions} */
  const options = {
    root,
    progress,
    announce: (what) => {
      announced = true;
      log(`setup: ${step.name}: ${what}`);
    },
  };
  try {
    const outcome = await step.run(options);
    const ms = Date.now() - startedMs;
    results.push({ name: step.name, ...outcome, ms });
    if (announced && !quiet) log(`setup: ${step.name}: done in ${formatDuration(ms)}`);
  } catch (error) {
    const message = /** @type {Error} */ (error).message;
    results.push({
      name: step.name,
      status: 'failed',
      note: message.split('\n')[0],
      ms: Date.now() - startedMs,
    });
    log(`setup: ${step.name}: ${message}`);
    if (step.essential) break;
  }
}

const totalMs = Date.now() - setupStartedMs;
const shown = results.map((r) => (r.path ? { ...r, path: shortPath(r.path, { root }) } : r));
for (const line of wantsFullSummary(results, quiet)
  ? renderSummary(shown, totalMs)
  : [readyLine(results, totalMs)]) {
  log(line);
}
if (results.some((r) => r.status === 'failed')) {
  log('gauntlet setup: not everything is installed; see the messages above');
  process.exit(3);
}
