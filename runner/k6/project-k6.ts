import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../core/project-root.js';

/**
 * The project's k6 for tests that need the real one: its path, or an error that says how to get it.
 * Tests fail with it rather than skip, so that a machine without k6 cannot pass the load path unchecked.
 */
export function projectK6(): string {
  const k6 = join(projectRoot(), '.tools', 'bin', 'k6');
  if (!existsSync(k6)) {
    throw new Error(`${k6} is missing: run \`npm run setup\` (it builds k6 with Gauntlet's extension)`);
  }
  return k6;
}
