import { execFile } from 'node:child_process';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../core/project-root.js';

/**
 * Test doubles (fake services, test beds, scripted clients) live in a `testing/` folder of their package
 * (stack/testing, reports/testing, chaos/testing), which tsconfig.build.json excludes. This holds the
 * convention on what the build compiles, so dist/ can never ship a double, whatever an old dist/ holds.
 */
const run = promisify(execFile);

/** Project files (relative, /-separated) that look like test code or test doubles. */
function doublesIn(files: readonly string[]): string[] {
  const double = /(^|\/)testing\/|(^|\/)fake-[^/]*$|-test-bed\.ts$|\.test\.ts$|(^|\/)test\//;
  return files.filter((file) => double.test(file));
}

describe('dist/ ships no test double', () => {
  it('the build compiles no file of a testing/ folder, no fake-* and no test', async () => {
    const root = projectRoot();
    const { stdout } = await run(
      join(root, 'node_modules', '.bin', 'tsc'),
      ['-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    const compiled = stdout
      .split('\n')
      .filter((line) => line.startsWith(root) && !line.includes(`${sep}node_modules${sep}`))
      .map((line) => relative(root, line).split(sep).join('/'));
    // The build really compiles the services, so an empty list cannot pass for a clean one.
    expect(compiled).toContain('stack/batcher/batcher-server.ts');
    expect(doublesIn(compiled)).toEqual([]);
  }, 180_000);

  it('recognises a planted double', () => {
    expect(
      doublesIn([
        'stack/batcher/batcher-server.ts',
        'stack/testing/fake-worker.ts',
        'stack/gateway/fake-batcher.ts',
        'stack/batcher/batcher-test-bed.ts',
        'reports/render/renderers.test.ts',
      ]),
    ).toEqual([
      'stack/testing/fake-worker.ts',
      'stack/gateway/fake-batcher.ts',
      'stack/batcher/batcher-test-bed.ts',
      'reports/render/renderers.test.ts',
    ]);
  });
});
