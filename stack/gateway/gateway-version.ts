import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * Gauntlet's version from its package.json, found by walking up from this file (it runs from the source
 * tree under vitest and from dist/ otherwise); 'unknown' where the gateway was deployed without it.
 */
export function gatewayVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'gauntlet' && typeof manifest.version === 'string') cached = manifest.version;
      break;
    }
    dir = dirname(dir);
  }
  return cached;
}
