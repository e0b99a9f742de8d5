import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: the whole run gets one private temporary directory (TMPDIR, which every test's
 * `mkdtempSync(join(tmpdir(), ...))` and every process it starts reads), removed when the run ends, also when
 * it fails or is interrupted. Without it each `npm test` left dozens of run folders (stack logs, reports,
 * k6 output: hundreds of MB) in /tmp. The first project to start creates it; the others reuse it.
 */
export default function setup(): (() => void) | undefined {
  if (process.env.GAUNTLET_TEST_TMPDIR) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-vitest-'));
  process.env.GAUNTLET_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  // Ctrl-C makes vitest exit without running global teardowns; the exit event still fires, and a
  // synchronous removal is what an exit handler can do.
  process.once('exit', remove);
  return () => {
    process.off('exit', remove);
    remove();
  };
}
