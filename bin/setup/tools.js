// @ts-check

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gauntletCacheDir } from './cache-dir.js';
import { shortPath } from './format.js';
import { firstLine, onPath, pathOf, runStep } from './run-step.js';

/**
 * @typedef {object} StepOptions
 * @property {string} root repository root
 * @property {(what: string) => void} announce says what a step is about to do, before it does it (also
 *   under --quiet: one line per step that does work)
 * @property {import('./progress.js').StartProgress} progress shows a long command's elapsed time
 * @typedef {Omit<import('./format.js').StepResult, 'name' | 'ms'>} StepOutcome
 */

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;

/**
 * Installs Debian packages with apt-get when we may; otherwise explains exactly what to run.
 * @param {string[]} packages
 * @param {string} why
 * @param {string} expected how long it usually takes, for the progress line
 * @param {StepOptions} options
 */
export async function aptInstall(packages, why, expected, options) {
  const command = `apt-get install -y ${packages.join(' ')}`;
  if (!onPath('apt-get')) throw new Error(`${why}: install ${packages.join(', ')} with your package manager`);
  if (!isRoot)
    throw new Error(
      `${why}: run \`sudo ${command}\` (or install them yourself), then run npm run setup again`,
    );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    await runStep('apt-get update', 'apt-get', ['update', '-qq'], { ...options, env });
    aptUpdated = true;
  }
  // Another apt (a second setup, unattended upgrades) may hold the dpkg lock: wait for it, bounded.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=300'];
  await runStep(
    `apt-get install ${packages.join(' ')}`,
    'apt-get',
    ['install', '-y', '-qq', ...lockWait, ...packages],
    {
      ...options,
      env,
      expected,
    },
  );
}

/** "etcd Version: 3.4.23" -> "3.4.23" */
function etcdVersion() {
  return firstLine('etcd', ['--version'])?.replace(/^etcd Version:\s*/i, '');
}

/** @param {StepOptions} options @returns {Promise<StepOutcome>} */
export async function ensureEtcd(options) {
  const found = pathOf('etcd');
  if (found) return { status: 'present', version: etcdVersion(), path: found };
  options.announce('installing the Debian packages etcd-server and etcd-client with apt-get (~1 min)');
  await aptInstall(
    ['etcd-server', 'etcd-client'],
    'etcd (3.4 or newer) is needed for the stack registry',
    'usually about a minute',
    options,
  );
  const installed = pathOf('etcd');
  if (!installed) throw new Error('etcd is still not on PATH after installing etcd-server');
  return { status: 'installed', version: etcdVersion(), path: installed, note: 'Debian etcd-server' };
}

/** "prometheus, version 2.42.0+ds (branch: ...)" -> "2.42.0+ds" */
function prometheusVersion() {
  return /version (\S+)/.exec(firstLine('prometheus', ['--version']) ?? '')?.[1];
}

const policyRcD = '/usr/sbin/policy-rc.d';

/**
 * Prometheus for `--prometheus` runs (the harness starts its own per run, on 127.0.0.1). Debian's package
 * would also start a system-wide daemon on :9090; a temporary policy-rc.d (the standard Debian switch)
 * stops the install from starting anything, so setup leaves no service running.
 * @param {StepOptions} options @returns {Promise<StepOutcome>}
 */
export async function ensurePrometheus(options) {
  const found = pathOf('prometheus');
  if (found) return { status: 'present', version: prometheusVersion(), path: found };
  options.announce('installing the Debian package prometheus with apt-get, for --prometheus runs (~1 min)');
  const ownPolicy = isRoot && !existsSync(policyRcD);
  if (ownPolicy) writeFileSync(policyRcD, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await aptInstall(
      ['--no-install-recommends', 'prometheus'],
      'Prometheus is needed for --prometheus runs',
      'usually about a minute',
      options,
    );
  } finally {
    if (ownPolicy) rmSync(policyRcD, { force: true });
  }
  const installed = pathOf('prometheus');
  if (!installed) throw new Error('prometheus is still not on PATH after installing the Debian package');
  return { status: 'installed', version: prometheusVersion(), path: installed, note: 'Debian prometheus' };
}

export const nginxPath = '/usr/sbin/nginx';

/** "nginx version: nginx/1.22.1" (nginx prints it on stderr) -> "1.22.1" */
function nginxVersion() {
  const result = spawnSync(nginxPath, ['-v'], { encoding: 'utf8' });
  return /nginx\/(\S+)/.exec(`${result.stderr}${result.stdout}`)?.[1];
}

/**
 * Debian's nginx, for a config with `load_balancer.enabled` (the harness starts its own per run, on
 * 127.0.0.1, from a config it renders). The package would also start a system nginx on :80; the same
 * temporary policy-rc.d as for Prometheus keeps the install from starting anything.
 * @param {StepOptions} options @returns {Promise<StepOutcome>}
 */
export async function ensureNginx(options) {
  if (existsSync(nginxPath)) return { status: 'present', version: nginxVersion(), path: nginxPath };
  options.announce('installing the Debian package nginx with apt-get, for the load balancer (~30 s)');
  const ownPolicy = isRoot && !existsSync(policyRcD);
  if (ownPolicy) writeFileSync(policyRcD, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    await aptInstall(
      ['--no-install-recommends', 'nginx'],
      'nginx is needed for load_balancer.enabled',
      'usually under a minute',
      options,
    );
  } finally {
    if (ownPolicy) rmSync(policyRcD, { force: true });
  }
  if (!existsSync(nginxPath)) throw new Error(`${nginxPath} is still missing after installing nginx`);
  return { status: 'installed', version: nginxVersion(), path: nginxPath, note: 'Debian nginx' };
}

const chromiumPath = '/usr/bin/chromium';

/** "Chromium 131.0.6778.85 built on Debian ..." -> "131.0.6778.85" */
function chromiumVersion() {
  return /(\d+\.[\d.]+)/.exec(firstLine(chromiumPath, ['--version']) ?? '')?.[1];
}

/** @param {StepOptions} options @returns {Promise<StepOutcome>} */
export async function ensureChromium(options) {
  if (existsSync(chromiumPath)) return { status: 'present', version: chromiumVersion(), path: chromiumPath };
  options.announce(
    'installing the Debian package chromium with apt-get, to check the HTML report (~1-3 min, a large download)',
  );
  await aptInstall(
    ['chromium'],
    'Chromium is needed to check the HTML report',
    'usually 1-3 min, depending on the mirror',
    options,
  );
  return { status: 'installed', version: chromiumVersion(), path: chromiumPath, note: 'Debian chromium' };
}

export const toxiproxyVersion = 'v2.12.0';

/** Toxiproxy's server, built from its pinned Go module into a cache shared by clones, linked into .tools/bin. @param {StepOptions} options @returns {Promise<StepOutcome>} */
export async function ensureToxiproxy(options) {
  const target = join(options.root, '.tools', 'bin', 'toxiproxy-server');
  const cacheDir = gauntletCacheDir('toxiproxy', toxiproxyVersion);
  const cached = join(cacheDir, 'toxiproxy-server');
  let built = false;
  if (!existsSync(cached)) {
    if (!onPath('go')) {
      throw new Error(
        'Go >= 1.25 is needed to build the toxiproxy server (apt-get install golang-go, or https://go.dev/dl)',
      );
    }
    options.announce(
      `building the toxiproxy server ${toxiproxyVersion} from its Go module (first time only, ~1-2 min; cached in ${shortPath(cacheDir)})`,
    );
    mkdirSync(cacheDir, { recursive: true });
    const gobin = join(cacheDir, 'gobin');
    await runStep(
      `toxiproxy: building ${toxiproxyVersion}`,
      'go',
      ['install', `github.com/Shopify/toxiproxy/v2/cmd/server@${toxiproxyVersion}`],
      {
        ...options,
        env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
        expected: 'usually 1-2 min',
      },
    );
    renameSync(join(gobin, 'server'), cached);
    rmSync(gobin, { recursive: true, force: true });
    built = true;
  }
  mkdirSync(join(options.root, '.tools', 'bin'), { recursive: true });
  if (!existsSync(target)) {
    copyFileSync(cached, target);
    chmodSync(target, 0o755);
  }
  return {
    status: built ? 'installed' : 'present',
    version: toxiproxyVersion,
    path: target,
    note: `built from github.com/Shopify/toxiproxy/v2, cached in ${shortPath(cached)}`,
  };
}
