import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { projectRoot } from '../../core/project-root.js';

/** No usable k6: says where it was looked for and how to get it. */
export class K6NotFoundError extends Error {
  constructor(looked: readonly string[]) {
    super(
      `k6 was not found (looked at ${looked.join(', ')}): run \`npm run setup\`, which builds k6 v1.8.1 with ` +
        "Gauntlet's extension (k6/x/sse, k6/x/gauntlet) into .tools/bin/k6",
    );
    this.name = 'K6NotFoundError';
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The project's k6 (.tools/bin/k6, built with our extension), else a k6 on PATH. A k6 from PATH without
 * the extension fails at the scenario's `import 'k6/x/sse'`, which k6 reports in the run's log.
 */
export function resolveK6Binary(searchPath = process.env.PATH ?? ''): string {
  const local = join(projectRoot(), '.tools', 'bin', 'k6');
  if (executable(local)) return local;
  const dirs = searchPath.split(delimiter).filter((dir) => dir !== '');
  for (const dir of dirs) {
    const candidate = join(dir, 'k6');
    if (executable(candidate)) return candidate;
  }
  throw new K6NotFoundError([local, 'PATH']);
}
