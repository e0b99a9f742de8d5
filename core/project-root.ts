import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The Gauntlet package root (where package.json is), from source (vitest) and from dist/ alike. */
export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'stack'))) {
      cached = dir;
      return dir;
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the Gauntlet package root above this file');
}

/** The compiled entry of a stack service; services always run from dist/ (build with `npm run build`). */
export function serviceEntry(role: 'gateway' | 'batcher' | 'worker'): string {
  const file = join(projectRoot(), 'dist', 'stack', role, 'main.js');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run build\` (or \`npm run setup\`) first`);
  }
  return file;
}

/** A tool binary: the project's .tools/bin first (k6, toxiproxy-server), then PATH. */
export function toolPath(name: string): string {
  const local = join(projectRoot(), '.tools', 'bin', name);
  return existsSync(local) ? local : name;
}
