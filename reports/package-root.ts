import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Gauntlet package root (the directory with package.json and reports/), found by walking up from this
 * file, so that data files next to the sources (YAML, the committed schema) resolve the same from the
 * sources and from dist/, which tsc fills with .js only.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'reports', 'run-result.ts')))
      return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(
    `no Gauntlet package root above ${fileURLToPath(import.meta.url)}; is the install complete?`,
  );
}
