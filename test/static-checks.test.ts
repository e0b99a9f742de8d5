import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { projectRoot } from '../core/project-root.js';

const run = promisify(execFile);
const bin = (name: string) => join(projectRoot(), 'node_modules', '.bin', name);

/**
 * tsc over one project, incremental: its build info lives in node_modules/.cache (outside the sources,
 * gone with node_modules), so a rerun checks only what changed since the last one (seconds instead of ~20).
 */
const typecheck = (project: string, name: string) =>
  run(
    bin('tsc'),
    [
      '-p',
      project,
      '--incremental',
      '--tsBuildInfoFile',
      join(projectRoot(), 'node_modules', '.cache', 'gauntlet-typecheck', `${name}.tsbuildinfo`),
    ],
    { cwd: projectRoot() },
  ).catch((e: { stdout: string }) => e);

// Strict TypeScript and one formatter+linter with zero warnings are part of the build's contract.
it('type-checks the project, the k6 scenarios and the setup scripts', async () => {
  expect((await typecheck('tsconfig.json', 'project')).stdout).toBe('');
  expect((await typecheck('scenarios/tsconfig.json', 'scenarios')).stdout).toBe('');
  // Setup is JavaScript (it runs before any build): `// @ts-check` needs checkJs to mean anything.
  expect((await typecheck('bin/setup/tsconfig.json', 'setup')).stdout).toBe('');
}, 120_000);

it('passes Biome with zero warnings', async () => {
  const result = await run(bin('biome'), ['check', '--error-on-warnings', '.'], { cwd: projectRoot() })
    .then(() => ({ code: 0, output: '' }))
    // Biome writes its diagnostics to stderr when not on a terminal: both streams, so a failure names the file.
    .catch((e: { code: number; stdout: string; stderr: string }) => ({
      code: e.code,
      output: `${e.stdout}${e.stderr}`,
    }));
  expect(result.output.slice(0, 4000)).toBe('');
  expect(result.code).toBe(0);
}, 120_000);
