import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { HashInput } from './content-hash.js';
import { lockClosure, type PackageLock } from './lock-closure.js';
import { moduleClosure } from './module-closure.js';
import type { RootfsBinary, RootfsEntry } from './rootfs-plan.js';

export const imageNames = ['stack', 'etcd', 'toxiproxy', 'nginx'] as const;
export type ImageName = (typeof imageNames)[number];

/** The host files images are made from. Defaults come from `defaultImageInputs`. */
export interface ImageInputs {
  /** The Gauntlet project root (package.json, package-lock.json, dist/, deploy/docker/). */
  root: string;
  node: string;
  etcd: string;
  toxiproxy: string;
  nginx: string;
}

/**
 * One image: its Dockerfile (shared by both sources), the root filesystem that stands in for the public
 * base image (binaries at the paths the public image has them), and the build context it copies from.
 */
export interface ImageRecipe {
  name: ImageName;
  dockerfile: string;
  rootfs(inputs: ImageInputs): { binaries: RootfsBinary[]; extras: RootfsEntry[] };
  context(inputs: ImageInputs): HashInput[];
}

const tmp: RootfsEntry = { kind: 'dir', imagePath: '/tmp', mode: 0o1777 };

export const imageRecipes: Record<ImageName, ImageRecipe> = {
  stack: {
    name: 'stack',
    dockerfile: 'deploy/docker/stack.Dockerfile',
    rootfs: (inputs) => ({
      binaries: [{ hostPath: inputs.node, imagePath: '/usr/local/bin/node' }],
      extras: [tmp],
    }),
    context: stackContext,
  },
  etcd: {
    name: 'etcd',
    dockerfile: 'deploy/docker/etcd.Dockerfile',
    rootfs: (inputs) => ({
      binaries: [{ hostPath: inputs.etcd, imagePath: '/usr/local/bin/etcd' }],
      extras: [tmp],
    }),
    context: () => [],
  },
  toxiproxy: {
    name: 'toxiproxy',
    dockerfile: 'deploy/docker/toxiproxy.Dockerfile',
    rootfs: (inputs) => ({
      binaries: [{ hostPath: inputs.toxiproxy, imagePath: '/toxiproxy' }],
      extras: [tmp],
    }),
    context: () => [],
  },
  nginx: {
    name: 'nginx',
    dockerfile: 'deploy/docker/nginx.Dockerfile',
    rootfs: (inputs) => ({
      binaries: [{ hostPath: inputs.nginx, imagePath: '/usr/sbin/nginx' }],
      extras: [
        tmp,
        // Debian's nginx has these paths compiled in; it checks them before it reads its configuration.
        { kind: 'dir', imagePath: '/var/log/nginx', mode: 0o755 },
        { kind: 'dir', imagePath: '/var/lib/nginx', mode: 0o755 },
        { kind: 'dir', imagePath: '/run', mode: 0o755 },
        // Workers drop to nobody when the master runs as root.
        {
          kind: 'text',
          imagePath: '/etc/passwd',
          text: 'root:x:0:0:root:/root:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n',
        },
        { kind: 'text', imagePath: '/etc/group', text: 'root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n' },
      ],
    }),
    context: (inputs) => [
      { kind: 'file', name: 'nginx.conf', path: join(inputs.root, 'deploy', 'docker', 'nginx.conf') },
    ],
  },
};

/**
 * The stack image's context: app/ with the compiled modules the three services reach from their entry
 * points (dist/stack and the parts of dist/core they import, with source maps), the production packages
 * they import (and what those need, from package-lock.json), a package.json that makes .js files ES
 * modules, and the entry point that picks the role.
 */
function stackContext(inputs: ImageInputs): HashInput[] {
  const dist = join(inputs.root, 'dist');
  const entries = (['gateway', 'batcher', 'worker'] as const).map((role) =>
    join(dist, 'stack', role, 'main.js'),
  );
  for (const entry of entries) {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  }
  const closure = moduleClosure(entries, (file) => readFileSync(file, 'utf8'));
  const lock = JSON.parse(readFileSync(join(inputs.root, 'package-lock.json'), 'utf8')) as PackageLock;
  const modules = closure.files.flatMap((file): HashInput[] => {
    const name = `app/dist/${relative(dist, file)}`;
    const map = `${file}.map`;
    return [
      { kind: 'file', name, path: file },
      ...(existsSync(map) ? [{ kind: 'file' as const, name: `${name}.map`, path: map }] : []),
    ];
  });
  return [
    { kind: 'text', name: 'app/package.json', text: '{ "type": "module", "private": true }\n' },
    {
      kind: 'file',
      name: 'app/stack-entry.mjs',
      path: join(inputs.root, 'deploy', 'docker', 'stack-entry.mjs'),
    },
    ...modules,
    ...lockClosure(lock, closure.packages).map(
      (path): HashInput => ({
        kind: 'folder',
        name: `app/${path}`,
        path: join(inputs.root, path),
        // Nested packages are entries of their own, present only when the closure needs them.
        exclude: ['node_modules'],
      }),
    ),
  ];
}

/** The public base a Dockerfile names in `ARG BASE=...`: what registry mode builds from. */
export function registryBaseOf(dockerfileText: string, dockerfile: string): string {
  const match = /^ARG BASE=(\S+)$/m.exec(dockerfileText);
  if (!match?.[1]) throw new Error(`${dockerfile}: no \`ARG BASE=<image>\` line`);
  return match[1];
}
