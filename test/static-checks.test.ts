import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { projectRoot } from '../core/project-root.js';

const run = promisify(execFile);
const bin = (name: string) => join(projectRoot(), 'node_modules', '.bin', name);

// Strict TypeScript and one formatter+linter with zero warnings are part of the build's contract.
it('type-checks the project and the k6 scenarios', async () => {
  const project = await run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: projectRoot() }).catch(
    (e: { stdout: string }) => e,
  );
  expect(project.stdout).toBe('');
  const scenarios = await run(bin('tsc'), ['-p', 'scenarios/tsconfig.json'], { cwd: projectRoot() }).catch(
    (e: { stdout: string }) => e,
  );
  expect(scenarios.stdout).toBe('');
}, 120_000);

it('passes Biome with zero warnings', async () => {
  const result = await run(bin('biome'), ['check', '--error-on-warnings', '.'], { cwd: projectRoot() })
    .then(() => ({ code: 0, stdout: '' }))
    .catch((e: { code: number; stdout: string }) => e);
  expect(result.stdout.slice(0, 4000)).toBe('');
  expect(result.code).toBe(0);
}, 120_000);
