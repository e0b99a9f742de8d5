// @ts-check
// The kind node image. Where a registry is reachable, set GAUNTLET_KIND_NODE_IMAGE to a published node
// image (for example kindest/node:v1.34.x with its digest, from kind's release notes) and nothing is
// built: kind pulls it. Otherwise tools/kind/node-image.sh assembles one from Debian packages, kind's
// base files (its Go module) and the toolchain bin/setup/kind.js built, cached by content (image labels
// and ~/.cache/gauntlet/kind/rootfs). Needs root (debootstrap, chroot) and a docker engine that can run
// --privileged containers (bin/setup/docker-runtime.js).

import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gauntletCache, run, runChecked } from './go-build.js';
import { ensureKindToolchain } from './kind.js';

export const NODE_IMAGE_ENV = 'GAUNTLET_KIND_NODE_IMAGE';
const NODE_IMAGE_TIMEOUT_MS = 30 * 60_000;

/**
 * @param {{ root: string, quiet?: boolean, log?: (line: string) => void }} options
 * @returns {Promise<string>} the node image to give `kind create cluster --image`
 */
export async function ensureKindNodeImage(options) {
  const published = process.env[NODE_IMAGE_ENV]?.trim();
  if (published) return published;
  const log = options.log ?? console.log;
  const quiet = options.quiet ?? false;
  const toolchain = await ensureKindToolchain({ root: options.root, quiet, log });
  // node-image.sh hashes ~1 GB of binaries to find its cached image (seconds on every bring-up); the
  // memo skips it while the script and every input file's size and mtime are unchanged.
  const memoFile = join(gauntletCache(), 'kind', 'node-image.memo.json');
  const memoKey = await inputsKey(options.root, toolchain);
  /** @type {{ key?: string, image?: string }} */
  const memo = await readFile(memoFile, 'utf8')
    .then((text) => JSON.parse(text))
    .catch(() => ({}));
  if (
    memo.key === memoKey &&
    memo.image &&
    (await run('docker', ['image', 'inspect', memo.image], { timeoutMs: 30_000 })).code === 0
  ) {
    if (!quiet) log(`kind node image ${memo.image} (cached)`);
    return memo.image;
  }
  const kindSrc = await kindModuleDir(toolchain.pins.kind);
  const env = {
    ...process.env,
    K8S_DIR: toolchain.kubernetesDir,
    ETCD: toolchain.etcd,
    COREDNS: toolchain.coredns,
    KIND_SRC: kindSrc,
    K8S_VERSION: toolchain.pins.kubernetes,
    CACHE: join(gauntletCache(), 'kind'),
  };
  const started = Date.now();
  const result = await run('bash', [join(options.root, 'tools', 'kind', 'node-image.sh')], {
    env,
    timeoutMs: NODE_IMAGE_TIMEOUT_MS,
  });
  if (result.timedOut || result.code !== 0) {
    throw new Error(
      `building the kind node image ${result.timedOut ? 'timed out' : `failed (exit ${result.code})`}:\n${result.output}` +
        `\n(on a machine that can pull images, set ${NODE_IMAGE_ENV} to a published kindest/node image instead)`,
    );
  }
  // stdout's last line is the image; progress lines on stderr are mixed in, so find it by its shape
  const image = [...result.output.matchAll(/^gauntlet\/kind-node:v[0-9.]+-[0-9a-f]{16}$/gm)].at(-1)?.[0];
  if (image === undefined) {
    throw new Error(`tools/kind/node-image.sh did not end with an image name:\n${result.output}`);
  }
  if (!quiet) log(`kind node image ${image} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  await writeFile(memoFile, `${JSON.stringify({ key: memoKey, image })}\n`).catch(() => {});
  return image;
}

/**
 * What the node image is made of, cheaply: the script, the pins, and each toolchain file's size and
 * mtime (a rebuilt binary changes both).
 * @param {string} root
 * @param {import('./kind.js').KindToolchain} toolchain
 */
async function inputsKey(root, toolchain) {
  const hash = createHash('sha256');
  hash.update(await readFile(join(root, 'tools', 'kind', 'node-image.sh')));
  hash.update(JSON.stringify(toolchain.pins));
  const files = [
    ...[
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kube-proxy',
      'kubelet',
      'kubeadm',
      'kubectl',
    ].map((name) => join(toolchain.kubernetesDir, name)),
    toolchain.etcd,
    toolchain.coredns,
  ];
  for (const file of files) {
    const info = await stat(file);
    hash.update(`${file} ${info.size} ${info.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * kind's base files (systemd units, containerd config, entrypoint) come from its module in the Go
 * module cache; `go mod download` fetches it from the proxy when it is not there yet.
 * @param {string} version
 */
export async function kindModuleDir(version) {
  const out = await runChecked(
    'go mod download sigs.k8s.io/kind',
    'go',
    ['mod', 'download', '-json', `sigs.k8s.io/kind@${version}`],
    {
      timeoutMs: 5 * 60_000,
      cwd: gauntletCache(),
    },
  );
  // the output mixes go's progress lines (stderr) with the JSON: read the one field needed
  const dir = /"Dir":\s*"([^"]+)"/.exec(out)?.[1];
  if (!dir) throw new Error(`go mod download sigs.k8s.io/kind@${version} gave no Dir:\n${out}`);
  return dir;
}
