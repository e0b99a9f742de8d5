// @ts-check
// The xk6-disruptor agent image, without a registry. k6's `k6/x/disruptor` (compiled into our k6, see
// tools/k6) injects into each target pod an ephemeral container `xk6-agent` whose image is
// ghcr.io/grafana/xk6-disruptor-agent:<the disruptor's module version> (pull policy IfNotPresent, root,
// NET_ADMIN, TTY and stdin), then execs `xk6-disruptor-agent http ...` in it; the agent redirects the target
// port to its own proxy with `iptables` rules in the pod's network namespace, and removes them at the end.
// Upstream that image is alpine + iptables + iproute2 + the agent. Here it is made from this machine:
// - the agent, built with `go build` from tools/disruptor-agent (its module comes from the Go module
//   proxy), static (CGO_ENABLED=0), cached by content in ~/.cache/gauntlet/disruptor-agent/;
// - the iptables multi-call binary behind /usr/sbin/iptables (Debian: xtables-nft-multi, or
//   xtables-legacy-multi), the names the agent calls (iptables, iptables-save, iptables-restore, the ip6tables
//   ones) as symlinks to it, its extension modules (REDIRECT, tcp, state, REJECT, mark, NFQUEUE...), and every
//   library `ldd` names;
// - dash as /bin/sh, the default command, which the disruptor's TTY keeps alive; `ip` when present;
// - `docker import` of that root filesystem, labelled with the hash of everything in it, so that a second
//   run with the same inputs does nothing (a few tenths of a second to hash).
// A kind cluster gets the image with `kind load docker-image` (the node image does not carry it).
// Where a cluster can pull from ghcr.io, none of this is needed: the kubelet pulls the upstream image.
// Run directly: `node bin/setup/disruptor-agent.js` does what the setup step does and prints the image.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDockerEngine } from './docker.js';
import { formatDuration, shortPath } from './format.js';
import {
  buildIntoCache,
  gauntletCache,
  isExecutable,
  politely,
  requireGoVersion,
  run,
  runChecked,
} from './go-build.js';
import { progressReporter } from './progress.js';
import { onPath, pathOf } from './run-step.js';
import { aptInstall } from './tools.js';

/** @typedef {import('./tools.js').StepOptions} StepOptions */
/** @typedef {import('./tools.js').StepOutcome} StepOutcome */

/**
 * @typedef {object} AgentPins
 * @property {string} xk6Disruptor the xk6-disruptor module version (`v0.3.17`); also the image tag
 * @property {string} image the image name without tag (`ghcr.io/grafana/xk6-disruptor-agent`)
 * @property {string} goMinimum
 * @property {number} cacheEpoch bump to force a rebuild with unchanged inputs
 */

/**
 * One thing in the image's root filesystem.
 * @typedef {{ kind: 'file', imagePath: string, hostPath: string, mode: number }
 *   | { kind: 'link', imagePath: string, target: string }
 *   | { kind: 'dir', imagePath: string, mode: number }
 *   | { kind: 'text', imagePath: string, text: string, mode: number }} RootfsEntry
 */

/**
 * What the image is made of, found on this machine (see findHostInputs).
 * @typedef {object} AgentRootfsInputs
 * @property {string} agent the built agent binary
 * @property {{ binary: string, variant: 'nft' | 'legacy' }} iptables the multi-call binary behind `iptables`
 * @property {Array<{ binary: string, variant: 'nft' | 'legacy' }>} otherIptables the other variant, if any
 * @property {{ dir: string, entries: Array<{ name: string, link?: string }> }} xtables extension modules
 * @property {string} shell becomes /bin/sh
 * @property {string | undefined} ip iproute2's ip, when present
 * @property {Array<{ imagePath: string, hostPath: string }>} etc small files copied as they are
 */

export const AGENT_INPUTS_LABEL = 'dev.gauntlet.disruptor-agent.inputs';
export const AGENT_PATH = '/usr/bin/xk6-disruptor-agent';
const AGENT_BUILD_TIMEOUT_MS = 20 * 60_000;
const DOCKER_TIMEOUT_MS = 5 * 60_000;
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** The names the agent (and people debugging it) call, each a symlink to the multi-call binary. */
const IPTABLES_NAMES = [
  'iptables',
  'iptables-save',
  'iptables-restore',
  'ip6tables',
  'ip6tables-save',
  'ip6tables-restore',
];
/** The rules the agent's HTTP/gRPC redirector adds and deletes (pkg/agent/protocol/redirector.go), as a check. */
const REDIRECT_RULES = [
  '-t nat -%s OUTPUT -s 127.0.0.0/8 -d 127.0.0.1/32 -p tcp --dport 80 -j REDIRECT --to-port 8000',
  '-t nat -%s PREROUTING ! -i lo -p tcp --dport 80 -j REDIRECT --to-port 8000',
  '-t filter -%s INPUT -i lo -s 127.0.0.0/8 -d 127.0.0.1/32 -p tcp --dport 80 -m state --state ESTABLISHED -j REJECT --reject-with tcp-reset',
  '-t filter -%s INPUT ! -i lo -p tcp --dport 80 -m state --state ESTABLISHED -j REJECT --reject-with tcp-reset',
];

/**
 * tools/disruptor-agent/pins.json, checked against its go.mod and against the xk6-disruptor that k6 is built
 * with (the disruptor asks for the image tagged with its own version: a different tag would be pulled).
 * @param {string} root
 * @returns {Promise<{ pins: AgentPins, image: string }>}
 */
export async function readAgentPins(root) {
  const dir = join(root, 'tools', 'disruptor-agent');
  const pins = parseAgentPins(
    await readFile(join(dir, 'pins.json'), 'utf8'),
    'tools/disruptor-agent/pins.json',
  );
  const goMod = await readFile(join(dir, 'go.mod'), 'utf8');
  const required = /^\s*(?:require\s+)?github\.com\/grafana\/xk6-disruptor\s+(\S+)/m.exec(goMod)?.[1];
  if (required !== pins.xk6Disruptor) {
    throw new Error(
      `tools/disruptor-agent/pins.json pins xk6-disruptor ${pins.xk6Disruptor} but its go.mod requires ` +
        `${required ?? 'nothing'}; make them agree (cd tools/disruptor-agent && go get ` +
        `github.com/grafana/xk6-disruptor@${pins.xk6Disruptor} && go mod tidy)`,
    );
  }
  /** @type {{ xk6Disruptor?: unknown }} */
  const k6Pins = JSON.parse(await readFile(join(root, 'tools', 'k6', 'pins.json'), 'utf8'));
  if (k6Pins.xk6Disruptor !== pins.xk6Disruptor) {
    throw new Error(
      `k6 is built with xk6-disruptor ${String(k6Pins.xk6Disruptor)} (tools/k6/pins.json) but the agent image ` +
        `would be ${pins.xk6Disruptor} (tools/disruptor-agent/pins.json): the disruptor asks for the image ` +
        'tagged with its own version, so make them agree',
    );
  }
  return { pins, image: `${pins.image}:${pins.xk6Disruptor}` };
}

/**
 * @param {string} text
 * @param {string} file
 * @returns {AgentPins}
 */
export function parseAgentPins(text, file) {
  /** @type {Record<string, unknown>} */
  const raw = JSON.parse(text);
  for (const field of ['xk6Disruptor', 'image', 'goMinimum']) {
    if (typeof raw[field] !== 'string' || raw[field] === '')
      throw new Error(`${file}: "${field}" must be a string`);
  }
  if (!/^v\d+\.\d+\.\d+$/.test(String(raw.xk6Disruptor))) {
    throw new Error(
      `${file}: "xk6Disruptor" must be a version like v0.3.17, got ${String(raw.xk6Disruptor)}`,
    );
  }
  if (/:/.test(String(raw.image).split('/').at(-1) ?? '')) {
    throw new Error(`${file}: "image" is the name without a tag (the tag is the xk6-disruptor version)`);
  }
  if (typeof raw.cacheEpoch !== 'number') throw new Error(`${file}: "cacheEpoch" must be a number`);
  return /** @type {AgentPins} */ (/** @type {unknown} */ (raw));
}

/**
 * Where the agent built from the current inputs lives (or will):
 * `~/.cache/gauntlet/disruptor-agent/<version>-<hash of pins.json, go.mod, go.sum, platform>/xk6-disruptor-agent`.
 * @param {string} root
 */
export async function agentBinaryPath(root) {
  const { pins, image } = await readAgentPins(root);
  const hash = createHash('sha256');
  hash.update(`${process.platform}/${process.arch}\0`);
  for (const name of ['pins.json', 'go.mod', 'go.sum']) {
    hash.update(`${name}\0`);
    hash.update(await readFile(join(root, 'tools', 'disruptor-agent', name)));
    hash.update('\0');
  }
  const entry = join(
    gauntletCache(),
    'disruptor-agent',
    `${pins.xk6Disruptor}-${hash.digest('hex').slice(0, 16)}`,
  );
  return { pins, image, entry, binary: join(entry, 'xk6-disruptor-agent') };
}

/**
 * Builds the agent when the cache has none for the current inputs.
 * @param {StepOptions} options
 * @returns {Promise<{ binary: string, built: boolean, ms: number }>}
 */
export async function ensureAgentBinary(options) {
  const started = Date.now();
  const { pins, entry, binary } = await agentBinaryPath(options.root);
  if (await isExecutable(binary)) return { binary, built: false, ms: 0 };
  if (!onPath('go')) {
    throw new Error(
      `Go >= ${pins.goMinimum} is needed to build the xk6-disruptor agent (apt-get install golang-go, or https://go.dev/dl)`,
    );
  }
  await requireGoVersion(pins.goMinimum, 'the xk6-disruptor agent');
  options.announce(
    `building the xk6-disruptor agent ${pins.xk6Disruptor} with go build (first time only: ~25-40 s on 2 cores with a cold Go build cache, seconds after the k6 build; ` +
      `cached in ${shortPath(dirname(entry))})`,
  );
  const display = options.progress(
    `disruptor agent: go build ${pins.xk6Disruptor}`,
    'usually under a minute the first time',
  );
  try {
    await buildIntoCache(
      {
        entry,
        what: `the xk6-disruptor agent ${pins.xk6Disruptor}`,
        complete: 'xk6-disruptor-agent',
        build: async (staging) => {
          const [command, args] = politely('go', [
            'build',
            '-trimpath',
            '-buildvcs=false',
            '-ldflags=-s -w',
            '-o',
            join(staging, 'xk6-disruptor-agent'),
            'github.com/grafana/xk6-disruptor/cmd/agent',
          ]);
          await runChecked(`go build of the xk6-disruptor agent ${pins.xk6Disruptor}`, command, args, {
            cwd: join(options.root, 'tools', 'disruptor-agent'),
            env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
            timeoutMs: AGENT_BUILD_TIMEOUT_MS,
          });
        },
        verify: async (staging) => {
          const help = await runChecked(
            'xk6-disruptor-agent --help',
            join(staging, 'xk6-disruptor-agent'),
            ['--help'],
            {
              timeoutMs: 30_000,
            },
          );
          if (!/\bhttp\b/.test(help))
            throw new Error(`the built agent's --help names no http command:\n${help}`);
        },
      },
      { quiet: true, log: () => {} },
    );
  } finally {
    display.stop();
  }
  return { binary, built: true, ms: Date.now() - started };
}

/**
 * The shared libraries `ldd` lists for a binary, at the paths the loader looks them up (also the host paths
 * to copy from). A static binary has none; a library ldd cannot find is an error that names it.
 * @param {string} binary
 * @param {string} output ldd's stdout and stderr
 * @returns {string[]}
 */
export function parseLdd(binary, output) {
  if (/not a dynamic executable|statically linked/.test(output)) return [];
  /** @type {string[]} */
  const libraries = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('linux-vdso') || line.startsWith('linux-gate')) continue;
    const missing = /^(\S+) => not found/.exec(line);
    if (missing) throw new Error(`${binary} needs ${missing[1]}, which ldd cannot find on this machine`);
    const linked = /^\S+ => (\/\S+) \(0x[0-9a-f]+\)$/.exec(line) ?? /^(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (linked?.[1]) libraries.push(linked[1]);
  }
  return libraries;
}

/**
 * The root filesystem of the agent image. Pure: ldd's output comes from `lddOf`.
 * @param {AgentRootfsInputs} inputs
 * @param {(hostPath: string) => string} lddOf
 * @returns {RootfsEntry[]} sorted by path
 */
export function planAgentRootfs(inputs, lddOf) {
  /** @type {Map<string, RootfsEntry>} */
  const byPath = new Map();
  /** @param {RootfsEntry} entry */
  const add = (entry) => {
    if (!entry.imagePath.startsWith('/')) throw new Error(`image path must be absolute: ${entry.imagePath}`);
    const existing = byPath.get(entry.imagePath);
    if (existing && JSON.stringify(existing) !== JSON.stringify(entry)) {
      throw new Error(`two different things for ${entry.imagePath} in the agent image`);
    }
    byPath.set(entry.imagePath, entry);
  };
  /** @param {string} hostPath */
  const addLibraries = (hostPath) => {
    for (const lib of parseLdd(hostPath, lddOf(hostPath))) {
      add({ kind: 'file', imagePath: lib, hostPath: lib, mode: lib.includes('/ld-linux') ? 0o755 : 0o644 });
    }
  };
  /** @param {string} imagePath @param {string} hostPath */
  const addProgram = (imagePath, hostPath) => {
    add({ kind: 'file', imagePath, hostPath, mode: 0o755 });
    addLibraries(hostPath);
  };

  add({ kind: 'dir', imagePath: '/tmp', mode: 0o1777 });
  add({ kind: 'dir', imagePath: '/run', mode: 0o755 }); // iptables-legacy's lock file: /run/xtables.lock
  add({ kind: 'dir', imagePath: '/root', mode: 0o700 });
  add({ kind: 'text', imagePath: '/etc/passwd', text: 'root:x:0:0:root:/root:/bin/sh\n', mode: 0o644 });
  add({ kind: 'text', imagePath: '/etc/group', text: 'root:x:0:\n', mode: 0o644 });
  for (const file of inputs.etc)
    add({ kind: 'file', imagePath: file.imagePath, hostPath: file.hostPath, mode: 0o644 });

  addProgram(AGENT_PATH, inputs.agent);
  addProgram('/bin/sh', inputs.shell);
  if (inputs.ip) addProgram('/sbin/ip', inputs.ip);

  for (const { binary, variant } of [inputs.iptables, ...inputs.otherIptables]) {
    const name = basename(binary);
    addProgram(`/usr/sbin/${name}`, binary);
    for (const command of IPTABLES_NAMES) {
      const [family = 'iptables', ...rest] = command.split('-');
      add({
        kind: 'link',
        imagePath: `/usr/sbin/${[`${family}-${variant}`, ...rest].join('-')}`,
        target: name,
      });
    }
  }
  for (const command of IPTABLES_NAMES) {
    add({ kind: 'link', imagePath: `/usr/sbin/${command}`, target: basename(inputs.iptables.binary) });
  }
  for (const entry of inputs.xtables.entries) {
    const imagePath = join(inputs.xtables.dir, entry.name);
    if (entry.link !== undefined) {
      add({ kind: 'link', imagePath, target: entry.link });
      continue;
    }
    add({ kind: 'file', imagePath, hostPath: imagePath, mode: 0o644 });
    addLibraries(imagePath);
  }
  return [...byPath.values()].sort((a, b) =>
    a.imagePath < b.imagePath ? -1 : a.imagePath > b.imagePath ? 1 : 0,
  );
}

/**
 * The image's config: `docker import --change` lines. CMD /bin/sh, as alpine's: the disruptor creates the
 * container with a TTY and stdin, so the shell waits, and execs the agent beside it.
 * @param {string} hash
 */
export function imageChanges(hash) {
  return [`ENV ${PATH_ENV}`, 'CMD ["/bin/sh"]', `LABEL ${AGENT_INPUTS_LABEL}=${hash}`];
}

/**
 * Hash of the planned root filesystem: every path, kind, mode, link target, text and file's bytes.
 * @param {RootfsEntry[]} plan
 */
export async function rootfsHash(plan) {
  const hash = createHash('sha256');
  hash.update(`${imageChanges('').join('\n')}\0`);
  for (const entry of plan) {
    hash.update(`${entry.kind} ${entry.imagePath}\0`);
    if (entry.kind === 'file') {
      hash.update(`${entry.mode.toString(8)}\0`);
      hash.update(await readFile(entry.hostPath));
    } else if (entry.kind === 'text') hash.update(`${entry.mode.toString(8)}\0${entry.text}`);
    else if (entry.kind === 'dir') hash.update(entry.mode.toString(8));
    else hash.update(entry.target);
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * What the image is made of on this machine: iptables (installed with apt-get when missing), its
 * extension modules, a shell, ip.
 * @param {StepOptions} options
 * @param {string} agent
 * @returns {Promise<AgentRootfsInputs>}
 */
export async function findHostInputs(options, agent) {
  if (!pathOf('iptables') && !existsSync('/usr/sbin/iptables')) {
    options.announce(
      'installing the Debian package iptables with apt-get, for the disruptor agent image (~15 s)',
    );
    await aptInstall(
      ['iptables'],
      "the disruptor agent image is made from this machine's iptables",
      'usually under 30 s',
      options,
    );
  }
  const iptablesPath = existsSync('/usr/sbin/iptables') ? '/usr/sbin/iptables' : pathOf('iptables');
  if (!iptablesPath)
    throw new Error('iptables is still not on PATH after installing the Debian package iptables');
  const real = realpathSync(iptablesPath);
  const variant = /^xtables-(nft|legacy)-multi$/.exec(basename(real))?.[1];
  if (variant !== 'nft' && variant !== 'legacy') {
    throw new Error(
      `${iptablesPath} is ${real}, not the xtables-nft-multi or xtables-legacy-multi of Debian's iptables package; ` +
        'the agent image is made from those',
    );
  }
  const other = variant === 'nft' ? 'legacy' : 'nft';
  const otherBinary = join(dirname(real), `xtables-${other}-multi`);
  const otherIptables = (await isExecutable(otherBinary))
    ? [{ binary: otherBinary, variant: /** @type {'nft' | 'legacy'} */ (other) }]
    : [];

  // The extension modules are in the multiarch library folder next to the one libxtables is in.
  const libxtables = parseLdd(real, lddOutput(real)).find((lib) => basename(lib).startsWith('libxtables.so'));
  const triplet = libxtables
    ? basename(dirname(libxtables))
    : `${process.arch === 'x64' ? 'x86_64' : process.arch}-linux-gnu`;
  const xtablesDir = [
    `/usr/lib/${triplet}/xtables`,
    `/lib/${triplet}/xtables`,
    '/usr/lib/xtables',
    '/usr/libexec/xtables',
  ].find((dir) => existsSync(join(dir, 'libxt_REDIRECT.so')) || existsSync(join(dir, 'libxt_NAT.so')));
  if (!xtablesDir)
    throw new Error(
      `no iptables extension modules (libxt_REDIRECT.so) next to ${libxtables ?? 'libxtables'}`,
    );
  /** @type {Array<{ name: string, link?: string }>} */
  const entries = [];
  for (const dirent of await readdir(xtablesDir, { withFileTypes: true })) {
    if (!dirent.name.endsWith('.so')) continue;
    if (dirent.isSymbolicLink())
      entries.push({ name: dirent.name, link: await readlink(join(xtablesDir, dirent.name)) });
    else if (dirent.isFile()) entries.push({ name: dirent.name });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));

  const shellCandidate = pathOf('dash') ?? pathOf('busybox');
  if (!shellCandidate) throw new Error('neither dash nor busybox is on PATH, for /bin/sh in the agent image');
  const ipPath = pathOf('ip');
  return {
    agent,
    iptables: { binary: real, variant },
    otherIptables,
    xtables: { dir: xtablesDir, entries },
    shell: realpathSync(shellCandidate),
    ip: ipPath ? realpathSync(ipPath) : undefined,
    etc: ['/etc/protocols', '/etc/services']
      .filter((file) => existsSync(file))
      .map((file) => ({ imagePath: file, hostPath: realpathSync(file) })),
  };
}

/** @param {string} binary */
function lddOutput(binary) {
  // ldd exits 1 for a static binary and says so.
  const result = spawnSync('ldd', [binary], { encoding: 'utf8', timeout: 30_000 });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

/**
 * ldd's output for many files from one ldd run (one per file would cost a second for the ~120 extension
 * modules), split by the `path:` line ldd prints before each file's part.
 * @param {string[]} paths
 * @returns {Map<string, string>}
 */
export function lddMany(paths) {
  if (paths.length <= 1) return new Map(paths.map((path) => [path, lddOutput(path)]));
  const result = spawnSync('ldd', paths, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  // stdout only: ldd says "not a dynamic executable" on stderr, which cannot be told apart by file; a file
  // whose part is empty (a static binary) is asked about alone.
  const sections = splitLddSections(result.stdout ?? '', paths);
  for (const [path, text] of sections) if (text.trim() === '') sections.set(path, lddOutput(path));
  return sections;
}

/**
 * @param {string} output ldd's output for several files
 * @param {string[]} paths the files, as given to ldd
 * @returns {Map<string, string>}
 */
export function splitLddSections(output, paths) {
  const wanted = new Set(paths);
  /** @type {Map<string, string>} */
  const sections = new Map();
  let current = '';
  for (const line of output.split('\n')) {
    const header = /^(\S.*):$/.exec(line)?.[1];
    if (header !== undefined && wanted.has(header)) {
      current = header;
      sections.set(current, '');
    } else if (current !== '') sections.set(current, `${sections.get(current)}${line}\n`);
  }
  for (const path of paths) {
    if (!sections.has(path)) throw new Error(`ldd printed nothing for ${path}:\n${output.slice(0, 2000)}`);
  }
  return sections;
}

/**
 * The value of the inputs label on an image, or undefined when there is no such image.
 * @param {string} image
 */
async function imageInputs(image) {
  const result = await run(
    'docker',
    ['image', 'inspect', '-f', `{{ index .Config.Labels "${AGENT_INPUTS_LABEL}" }}|{{.Id}}`, image],
    {
      timeoutMs: 30_000,
    },
  );
  if (result.code !== 0) return undefined;
  const [label = '', id = ''] = result.output.trim().split('|');
  return { label: label === '<no value>' ? '' : label, id };
}

/**
 * Writes the planned root filesystem into a scratch folder and streams it as a tar (owned by root) into
 * `docker import`.
 * @param {RootfsEntry[]} plan
 * @param {string} tag
 * @param {string[]} changes
 */
async function importRootfs(plan, tag, changes) {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-agent-rootfs-'));
  try {
    for (const entry of plan) {
      const target = join(dir, entry.imagePath);
      await mkdir(entry.kind === 'dir' ? target : dirname(target), { recursive: true });
      if (entry.kind === 'dir') await chmod(target, entry.mode);
      else if (entry.kind === 'link') await symlink(entry.target, target);
      else if (entry.kind === 'file') {
        await copyFile(entry.hostPath, target);
        await chmod(target, entry.mode);
      } else await writeFile(target, entry.text, { mode: entry.mode });
    }
    await new Promise((resolve, reject) => {
      const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-c', '.'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const load = spawn('docker', ['import', ...changes.flatMap((c) => ['--change', c]), '-', tag], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      tar.stdout.pipe(load.stdin);
      let errors = '';
      const keep = (/** @type {Buffer} */ chunk) => {
        errors = (errors + chunk.toString()).slice(-4000);
      };
      tar.stderr.on('data', keep);
      load.stderr.on('data', keep);
      load.stdout.resume();
      const timer = setTimeout(() => {
        tar.kill('SIGKILL');
        load.kill('SIGKILL');
      }, DOCKER_TIMEOUT_MS);
      let tarCode = /** @type {number | null} */ (null);
      tar.on('close', (code) => {
        tarCode = code;
      });
      tar.on('error', reject);
      load.on('error', reject);
      load.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0 && tarCode === 0) resolve(undefined);
        else
          reject(
            new Error(
              `tar | docker import ${tag} failed (tar exit ${tarCode}, docker exit ${code}):\n${errors}`,
            ),
          );
      });
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the image the way the disruptor uses it, on no network: the agent answers, and iptables adds and
 * deletes the agent's redirect rules (which load the REDIRECT, tcp, state and REJECT extensions).
 * @param {string} image
 */
async function verifyImage(image) {
  const add = REDIRECT_RULES.map((rule) => `iptables ${rule.replace('%s', 'A')}`);
  const del = REDIRECT_RULES.map((rule) => `iptables ${rule.replace('%s', 'D')}`);
  const script = [
    'set -e',
    `${AGENT_PATH} --help >/dev/null`,
    ...add,
    // no grep in the image: the shell's own pattern matching
    'case "$(iptables-save -t nat)" in *"REDIRECT --to-ports 8000"*) ;; *) echo "no REDIRECT rule"; exit 1 ;; esac',
    ...del,
    'case "$(iptables -t nat -S OUTPUT)" in *REDIRECT*) echo "REDIRECT rule left"; exit 1 ;; esac',
    'ip6tables -t nat -S >/dev/null',
    'echo agent-image-ok',
  ].join('\n');
  const out = await runChecked(
    `checking the agent image ${image} (iptables rules in a container with NET_ADMIN)`,
    'docker',
    ['run', '--rm', '--network', 'none', '--cap-add', 'NET_ADMIN', image, '/bin/sh', '-c', script],
    { timeoutMs: 120_000 },
  );
  if (!out.includes('agent-image-ok'))
    throw new Error(`the agent image check printed no success line:\n${out}`);
}

/**
 * Makes the docker image `ghcr.io/grafana/xk6-disruptor-agent:<version>` from this machine, unless an image
 * with that tag already carries the hash of the same inputs.
 * @param {StepOptions} options
 * @returns {Promise<{ image: string, hash: string, built: boolean, binary: string, agentBuilt: boolean, agentMs: number, imageMs: number }>}
 */
export async function ensureDisruptorAgentImage(options) {
  await ensureDockerEngine(options);
  const { pins, image } = await readAgentPins(options.root);
  const agent = await ensureAgentBinary(options);
  const started = Date.now();
  const inputs = await findHostInputs(options, agent.binary);
  const done = (/** @type {string} */ hash, /** @type {boolean} */ built) => ({
    image,
    hash,
    built,
    binary: agent.binary,
    agentBuilt: agent.built,
    agentMs: agent.ms,
    imageMs: Date.now() - started,
  });
  // Planning runs ldd on ~120 extension modules and hashing reads ~30 MB (about a second); the memo skips
  // both while every file of the last plan has the same size and mtime and the image still has its label.
  const memoFile = join(gauntletCache(), 'disruptor-agent', 'image.memo.json');
  /** @type {{ stamp?: string, hash?: string, files?: string[] }} */
  const memo = await readFile(memoFile, 'utf8')
    .then((text) => JSON.parse(text))
    .catch(() => ({}));
  const existing = await imageInputs(image);
  if (memo.hash && memo.files && existing?.label === memo.hash) {
    const stamp = await inputsStamp(inputs, pins, memo.files);
    if (stamp !== undefined && stamp === memo.stamp) return done(memo.hash, false);
  }
  const ldd = lddMany([
    inputs.agent,
    inputs.shell,
    ...(inputs.ip ? [inputs.ip] : []),
    ...[inputs.iptables, ...inputs.otherIptables].map((i) => i.binary),
    ...inputs.xtables.entries
      .filter((e) => e.link === undefined)
      .map((e) => join(inputs.xtables.dir, e.name)),
  ]);
  const plan = planAgentRootfs(inputs, (path) => ldd.get(path) ?? lddOutput(path));
  const hash = await rootfsHash([
    ...plan,
    { kind: 'text', imagePath: '/.gauntlet-epoch', text: String(pins.cacheEpoch), mode: 0o644 },
  ]);
  const files = plan.flatMap((entry) => (entry.kind === 'file' ? [entry.hostPath] : []));
  const writeMemo = async () => {
    const stamp = await inputsStamp(inputs, pins, files);
    await writeFile(memoFile, `${JSON.stringify({ stamp, hash, files })}\n`).catch(() => {});
  };
  if (existing?.label === hash) {
    await writeMemo();
    return done(hash, false);
  }
  options.announce(
    `making the docker image ${image} from the agent and this machine's iptables (${inputs.iptables.variant}), ` +
      `${basename(inputs.shell)} and ${inputs.ip ? 'ip' : 'no ip'} with docker import (a few seconds)`,
  );
  const candidate = `gauntlet/disruptor-agent-candidate:${hash.slice(0, 16)}`;
  const display = options.progress(`disruptor agent: docker import ${image}`, 'usually a few seconds');
  try {
    await importRootfs(plan, candidate, imageChanges(hash));
    await verifyImage(candidate);
    await runChecked(`docker tag ${candidate} ${image}`, 'docker', ['tag', candidate, image], {
      timeoutMs: 30_000,
    });
  } finally {
    display.stop();
    await run('docker', ['rmi', candidate], { timeoutMs: 30_000 }).catch(() => undefined);
  }
  // The image this one replaces, now untagged; best effort (a container may still use it).
  if (existing?.id) {
    const now = await imageInputs(image);
    if (now && now.id !== existing.id)
      await run('docker', ['rmi', existing.id], { timeoutMs: 30_000 }).catch(() => undefined);
  }
  await writeMemo();
  return done(hash, true);
}

/**
 * A cheap fingerprint of what the image is made of: this file, the pins, what was found on the machine
 * (paths, links), and each file's size and mtime. Undefined when a file is gone.
 * @param {AgentRootfsInputs} inputs
 * @param {AgentPins} pins
 * @param {string[]} files every host file the last plan copied
 */
async function inputsStamp(inputs, pins, files) {
  const hash = createHash('sha256');
  hash.update(await readFile(fileURLToPath(import.meta.url)));
  hash.update(JSON.stringify({ pins, inputs }));
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info) return undefined;
    hash.update(`${file} ${info.size} ${info.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/**
 * The setup step.
 * @param {StepOptions} options
 * @returns {Promise<StepOutcome>}
 */
export async function disruptorAgentStep(options) {
  const result = await ensureDisruptorAgentImage(options);
  const { pins } = await readAgentPins(options.root);
  return {
    status: result.built || result.agentBuilt ? 'installed' : 'present',
    version: pins.xk6Disruptor,
    path: result.binary,
    note: `image ${result.image} (${AGENT_INPUTS_LABEL}=${result.hash.slice(0, 12)}…); kind load docker-image it into a kind cluster`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const log = (/** @type {string} */ m) => process.stderr.write(`${m}\n`);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const started = Date.now();
  try {
    const result = await ensureDisruptorAgentImage({
      root,
      announce: (what) => log(`disruptor agent: ${what}`),
      progress: progressReporter({ stream: process.stderr }),
    });
    log(
      `disruptor agent: ${result.image} ${result.built ? 'made' : 'already there'} ` +
        `(agent ${result.agentBuilt ? `built in ${formatDuration(result.agentMs)}` : 'cached'} at ${shortPath(result.binary)}; ` +
        `image ${formatDuration(result.imageMs)}; total ${formatDuration(Date.now() - started)})`,
    );
    process.stdout.write(`${result.image}\n`);
  } catch (error) {
    log(`disruptor agent: ${/** @type {Error} */ (error).message}`);
    process.exitCode = 1;
  }
}
