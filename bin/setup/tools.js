// @ts-check
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { onPath, runStep } from './run-step.js';

/** @typedef {{ root: string, quiet: boolean, log: (m: string) => void }} StepOptions */

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let aptUpdated = false;

/**
 * Installs Debian packages with apt-get when we may; otherwise explains exactly what to run.
 * @param {string[]} packages
 * @param {string} why
 * @param {StepOptions} options
 */
export async function aptInstall(packages, why, options) {
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
    },
  );
}

/** @param {StepOptions} options */
export async function ensureEtcd(options) {
  if (onPath('etcd')) return 'etcd on PATH';
  await aptInstall(
    ['etcd-server', 'etcd-client'],
    'etcd (3.4 or newer) is needed for the stack registry',
    options,
  );
  if (!onPath('etcd')) throw new Error('etcd is still not on PATH after installing etcd-server');
  return 'etcd installed from Debian (etcd-server)';
}

/** @param {StepOptions} options */
export async function ensureChromium(options) {
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  await aptInstall(['chromium'], 'Chromium is needed to check the HTML report', options);
  return 'chromium installed from Debian';
}

export const toxiproxyVersion = 'v2.12.0';

/** Toxiproxy's server, built from its pinned Go module into a cache shared by clones, linked into .tools/bin. @param {StepOptions} options */
export async function ensureToxiproxy(options) {
  const target = join(options.root, '.tools', 'bin', 'toxiproxy-server');
  const cacheDir = join(homedir(), '.cache', 'gauntlet', 'toxiproxy', toxiproxyVersion);
  const cached = join(cacheDir, 'toxiproxy-server');
  if (!existsSync(cached)) {
    if (!onPath('go')) {
      throw new Error(
        'Go >= 1.25 is needed to build the toxiproxy server (apt-get install golang-go, or https://go.dev/dl)',
      );
    }
    mkdirSync(cacheDir, { recursive: true });
    const gobin = join(cacheDir, 'gobin');
    await runStep(
      `building toxiproxy ${toxiproxyVersion}`,
      'go',
      ['install', `github.com/Shopify/toxiproxy/v2/cmd/server@${toxiproxyVersion}`],
      { ...options, env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' } },
    );
    renameSync(join(gobin, 'server'), cached);
    rmSync(gobin, { recursive: true, force: true });
  }
  mkdirSync(join(options.root, '.tools', 'bin'), { recursive: true });
  if (!existsSync(target)) {
    copyFileSync(cached, target);
    chmodSync(target, 0o755);
  }
  return `toxiproxy-server ${toxiproxyVersion}`;
}
