import { existsSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ImageInputs } from './image-recipes.js';

/**
 * Where this machine's binaries for the images are: the node running Gauntlet, etcd on PATH (Debian's
 * etcd-server), the toxiproxy server `npm run setup` builds into .tools/bin, and the nginx binary setup
 * unpacks from Debian's package into the cache (it is never installed as a service).
 */
export function defaultImageInputs(root: string): ImageInputs {
  return {
    root,
    node: realpathSync(process.execPath),
    etcd: onPath('etcd') ?? '/usr/bin/etcd',
    toxiproxy: join(root, '.tools', 'bin', 'toxiproxy-server'),
    nginx: process.env.GAUNTLET_NGINX_BINARY ?? join(cacheDir(), 'nginx', 'root', 'usr', 'sbin', 'nginx'),
  };
}

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'gauntlet');
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir !== '' && existsSync(candidate)) return realpathSync(candidate);
  }
  return undefined;
}
