// @ts-check
// The kind toolchain without a container registry or release downloads: Kubernetes (7 commands),
// etcd, CoreDNS and the kind CLI, all built from the Go module proxy, each cached once per set of
// inputs under ~/.cache/gauntlet/kind/<component>/<version>-<hash>/. Pins: tools/kind/pins.json.
// Kubernetes and etcd are built through consumer modules (tools/kind/kubernetes, tools/kind/etcd):
// their own go.mod files carry replace directives, which `go install pkg@version` refuses.
// Builds run one after another at the lowest CPU and I/O priority (a cold Kubernetes build is by far the
// longest step of any setup here and keeps every core busy). Plain JavaScript because it runs before `npm run build`.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildIntoCache,
  gauntletCache,
  isExecutable,
  politely,
  requireGoVersion,
  runChecked,
} from './go-build.js';

/** The Kubernetes commands kind's node image and our own checks need. */
export const KUBERNETES_COMMANDS = Object.freeze([
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'kubeadm',
  'kubectl',
]);

const COMPONENTS = /** @type {const} */ (['kubernetes', 'etcd', 'coredns', 'kind']);

/**
 * @typedef {object} KindPins
 * @property {string} kubernetes `v1.34.4`
 * @property {string} etcd `v3.6.5`
 * @property {string} coredns `v1.12.1`
 * @property {string} kind `v0.33.0`
 * @property {string} goMinimum oldest Go that builds all of them
 * @property {number} cacheEpoch bump to force rebuilds with unchanged inputs
 */

/**
 * @typedef {object} KindToolchain
 * @property {KindPins} pins
 * @property {string} kubernetesDir folder holding the 7 Kubernetes commands
 * @property {string} etcd
 * @property {string} coredns
 * @property {string} kind
 */

/**
 * @typedef {object} EnsureKindToolchainOptions
 * @property {string} root repository root
 * @property {boolean} [quiet]
 * @property {(line: string) => void} [log]
 * @property {number} [buildTimeoutMs] per build (default 3 hours: only a guard against a hung build; at
 *   the lowest priority on a busy 2-core machine a cold Kubernetes build is slow)
 * @property {ReadonlyArray<'kubernetes' | 'etcd' | 'coredns' | 'kind'>} [components] only these (default all);
 *   two setups with disjoint components may build side by side, each at the lowest priority
 */

const DEFAULT_BUILD_TIMEOUT_MS = 3 * 60 * 60_000;
const VERSION_TIMEOUT_MS = 30_000;

/**
 * Makes sure every tool of the kind toolchain is in the cache, building only what is missing.
 * @param {EnsureKindToolchainOptions} options
 * @returns {Promise<KindToolchain & { built: string[] }>} the toolchain, and what this call built
 */
export async function ensureKindToolchain(options) {
  const { root, quiet = false, log = console.log, buildTimeoutMs = DEFAULT_BUILD_TIMEOUT_MS } = options;
  if (typeof root !== 'string' || root === '')
    throw new Error('ensureKindToolchain: root must be the repository root');
  if (!Number.isFinite(buildTimeoutMs) || buildTimeoutMs <= 0) {
    throw new Error(`ensureKindToolchain: buildTimeoutMs must be a number > 0, got ${buildTimeoutMs}`);
  }
  const paths = await kindToolchainPaths(root);
  const how = { quiet, log };
  const { pins } = paths;
  const wanted = options.components ?? COMPONENTS;
  for (const c of wanted) {
    if (!COMPONENTS.includes(c))
      throw new Error(`ensureKindToolchain: unknown component "${c}" (allowed: ${COMPONENTS.join(', ')})`);
  }
  const missing = (await missingTools(paths)).filter((c) =>
    wanted.includes(/** @type {typeof COMPONENTS[number]} */ (c)),
  );
  if (missing.length === 0) return { ...paths, built: [] };
  await requireGoVersion(pins.goMinimum, `the kind toolchain (${missing.join(', ')})`);
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod -buildvcs=false' };
  const go = (/** @type {string} */ what, /** @type {string[]} */ args, /** @type {string=} */ cwd) => {
    const [command, argv] = politely('go', args);
    return runChecked(what, command, argv, { cwd, env, timeoutMs: buildTimeoutMs });
  };

  if (missing.includes('kubernetes')) {
    await buildIntoCache(
      {
        entry: paths.kubernetesDir,
        what: `Kubernetes ${pins.kubernetes} (${KUBERNETES_COMMANDS.length} commands; a long build when cold)`,
        complete: 'kubectl',
        build: (staging) =>
          go(
            `go build Kubernetes ${pins.kubernetes}`,
            [
              'build',
              '-trimpath',
              '-ldflags',
              kubernetesLdflags(pins.kubernetes),
              '-o',
              `${staging}/`,
              ...KUBERNETES_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`),
            ],
            join(root, 'tools', 'kind', 'kubernetes'),
          ).then(() => undefined),
        verify: (staging) => verifyKubernetes(staging, pins.kubernetes),
      },
      how,
    );
  }
  if (missing.includes('etcd')) {
    await buildIntoCache(
      {
        entry: join(paths.etcd, '..'),
        what: `etcd ${pins.etcd}`,
        complete: 'etcd',
        build: (staging) =>
          go(
            `go build etcd ${pins.etcd}`,
            [
              'build',
              '-trimpath',
              '-ldflags',
              '-s -w',
              '-o',
              join(staging, 'etcd'),
              'go.etcd.io/etcd/server/v3',
            ],
            join(root, 'tools', 'kind', 'etcd'),
          ).then(() => undefined),
        verify: (staging) =>
          verifyVersion(join(staging, 'etcd'), ['--version'], `etcd Version: ${pins.etcd.slice(1)}\n`),
      },
      how,
    );
  }
  for (const [name, module, versionArgs, expected] of /** @type {const} */ ([
    ['coredns', 'github.com/coredns/coredns', ['-version'], `CoreDNS-${pins.coredns.slice(1)}\n`],
    ['kind', 'sigs.k8s.io/kind', ['version'], `kind ${pins.kind} `],
  ])) {
    if (!missing.includes(name)) continue;
    const version = pins[name];
    await buildIntoCache(
      {
        entry: join(paths[name], '..'),
        what: `${name} ${version}`,
        complete: name,
        // go install module@version: these have no replace directives, so no consumer module is needed.
        build: (staging) =>
          runChecked(
            `go install ${module}@${version}`,
            ...politely('go', ['install', '-trimpath', '-ldflags', '-s -w', `${module}@${version}`]),
            { env: { ...env, GOBIN: staging, GOFLAGS: '-buildvcs=false' }, timeoutMs: buildTimeoutMs },
          ).then(() => undefined),
        verify: (staging) => verifyVersion(join(staging, name), [...versionArgs], expected),
      },
      how,
    );
  }
  const still = (await missingTools(paths)).filter((c) =>
    wanted.includes(/** @type {typeof COMPONENTS[number]} */ (c)),
  );
  if (still.length > 0) throw new Error(`kind toolchain: ${still.join(', ')} still missing after the build`);
  return { ...paths, built: missing };
}

/**
 * Where the toolchain for the current inputs lives (or will live); builds nothing.
 * @param {string} root
 * @returns {Promise<KindToolchain>}
 */
export async function kindToolchainPaths(root) {
  const dir = join(root, 'tools', 'kind');
  const pinsFile = join(dir, 'pins.json');
  const pinsText = await readFile(pinsFile, 'utf8');
  const pins = parsePins(pinsText, pinsFile);
  await checkGoModRequires(join(dir, 'kubernetes', 'go.mod'), 'k8s.io/kubernetes', pins.kubernetes);
  await checkGoModRequires(join(dir, 'etcd', 'go.mod'), 'go.etcd.io/etcd/server/v3', pins.etcd);
  const cache = join(gauntletCache(), 'kind');
  const platform = `${process.platform}/${process.arch}`;
  const kubernetesKey = hashOf([
    platform,
    String(pins.cacheEpoch),
    kubernetesLdflags(pins.kubernetes),
    ...(await readAll(dir, ['kubernetes/go.mod', 'kubernetes/go.sum', 'kubernetes/tools.go'])),
  ]);
  const etcdKey = hashOf([
    platform,
    String(pins.cacheEpoch),
    ...(await readAll(dir, ['etcd/go.mod', 'etcd/go.sum', 'etcd/tools.go'])),
  ]);
  const plainKey = hashOf([platform, String(pins.cacheEpoch)]);
  return {
    pins,
    kubernetesDir: join(cache, 'kubernetes', `${pins.kubernetes}-${kubernetesKey}`),
    etcd: join(cache, 'etcd', `${pins.etcd}-${etcdKey}`, 'etcd'),
    coredns: join(cache, 'coredns', `${pins.coredns}-${plainKey}`, 'coredns'),
    kind: join(cache, 'kind', `${pins.kind}-${plainKey}`, 'kind'),
  };
}

/**
 * @param {string} text
 * @param {string} file
 * @returns {KindPins}
 */
export function parsePins(text, file) {
  /** @type {unknown} */
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${/** @type {Error} */ (error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new Error(`${file}: must be a JSON object`);
  const pins = /** @type {Record<string, unknown>} */ (raw);
  for (const field of ['kubernetes', 'etcd', 'coredns', 'kind']) {
    const value = pins[field];
    if (typeof value !== 'string' || !/^v\d+\.\d+\.\d+$/.test(value)) {
      throw new Error(`${file}: "${field}" must be a version like "v1.2.3", got ${JSON.stringify(value)}`);
    }
  }
  if (typeof pins.goMinimum !== 'string' || !/^\d+\.\d+$/.test(pins.goMinimum)) {
    throw new Error(`${file}: "goMinimum" must be "major.minor", got ${JSON.stringify(pins.goMinimum)}`);
  }
  if (typeof pins.cacheEpoch !== 'number') throw new Error(`${file}: "cacheEpoch" must be a number`);
  return /** @type {KindPins} */ (raw);
}

/**
 * The version stamps `kubectl version` and `/version` report; a module build has no git tree to read
 * them from. Fixed dates and commits keep the binaries reproducible.
 * @param {string} version
 */
export function kubernetesLdflags(version) {
  const minor = version.split('.')[1] ?? '0';
  const flags = ['-s', '-w'];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(
      `-X ${pkg}.gitVersion=${version}`,
      `-X ${pkg}.gitMajor=1`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.gitCommit=0000000000000000000000000000000000000000`,
      `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
    );
  }
  return flags.join(' ');
}

/**
 * @param {KindToolchain} paths
 * @returns {Promise<string[]>} the components not (wholly) in the cache
 */
async function missingTools(paths) {
  const missing = [];
  for (const c of KUBERNETES_COMMANDS) {
    if (!(await isExecutable(join(paths.kubernetesDir, c)))) {
      missing.push('kubernetes');
      break;
    }
  }
  for (const name of /** @type {const} */ (['etcd', 'coredns', 'kind'])) {
    if (!(await isExecutable(paths[name]))) missing.push(name);
  }
  return missing;
}

/**
 * @param {string} dir
 * @param {string} version
 */
async function verifyKubernetes(dir, version) {
  for (const c of KUBERNETES_COMMANDS) {
    const args =
      c === 'kubectl'
        ? ['version', '--client']
        : c === 'kubeadm'
          ? ['version', '-o', 'short']
          : ['--version'];
    await verifyVersion(join(dir, c), args, version);
  }
}

/**
 * @param {string} binary
 * @param {string[]} args
 * @param {string} expected text the output must contain
 */
async function verifyVersion(binary, args, expected) {
  const out = await runChecked(`${binary} ${args.join(' ')}`, binary, args, {
    timeoutMs: VERSION_TIMEOUT_MS,
  });
  if (!out.includes(expected)) {
    throw new Error(
      `${binary} ${args.join(' ')} does not report ${JSON.stringify(expected.trim())}:\n${out}`,
    );
  }
}

/**
 * go.mod is what the build uses; pins.json is what people read. They must not drift apart.
 * @param {string} goModFile
 * @param {string} module
 * @param {string} version
 */
async function checkGoModRequires(goModFile, module, version) {
  const goMod = await readFile(goModFile, 'utf8');
  const pattern = new RegExp(`^\\s*(?:require\\s+)?${module.replaceAll('.', '\\.')}\\s+(\\S+)`, 'm');
  const found = pattern.exec(goMod)?.[1];
  if (found !== version) {
    throw new Error(
      `tools/kind/pins.json pins ${module} ${version} but ${goModFile} requires ${found ?? 'nothing'}; ` +
        'make them agree (see tools/kind/README.md)',
    );
  }
}

/**
 * @param {string} dir
 * @param {string[]} files relative to dir
 */
async function readAll(dir, files) {
  return Promise.all(files.map(async (f) => `${f}\0${await readFile(join(dir, f), 'utf8')}`));
}

/** @param {string[]} parts */
function hashOf(parts) {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(`${p}\0`);
  return hash.digest('hex').slice(0, 16);
}
