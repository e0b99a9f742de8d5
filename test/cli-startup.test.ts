import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../core/project-root.js';

/**
 * Every command pays for what the CLI loads before it parses its arguments. The platforms and the probe
 * load their heavy dependencies when they are used (platforms/platform-registry.ts): testcontainers and
 * @kubernetes/client-node alone took `gauntlet --help` from about 0.9 s to 2.2 s on 2 cores. A module
 * resolve hook in the CLI's own process lists every package it loads. Needs dist/.
 */
const run = promisify(execFile);
const heavy = /node_modules\/(testcontainers|@kubernetes\/client-node|autocannon|playwright-core|etcd3)\//;

// Resolve hooks run off the main thread; they report each package file on stderr.
const hook = `data:text/javascript,${encodeURIComponent(
  'export async function resolve(s, c, next) { const r = await next(s, c); ' +
    'if (r.url.includes("/node_modules/")) process.stderr.write("LOADED " + r.url + "\\n"); return r; }',
)}`;
const register = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(hook)});`,
)}`;

async function packagesLoadedBy(args: string[]): Promise<string[]> {
  const home = mkdtempSync(join(tmpdir(), 'gauntlet-startup-'));
  try {
    const { stderr } = await run(
      process.execPath,
      ['--import', register, join(projectRoot(), 'bin', 'gauntlet.js'), ...args],
      { env: { ...process.env, GAUNTLET_HOME: home } },
    );
    return stderr.split('\n').filter((line) => line.startsWith('LOADED '));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('CLI start-up', () => {
  it('--help and status load no platform, probe or browser dependency', async () => {
    for (const args of [['--help'], ['status']]) {
      const loaded = await packagesLoadedBy(args);
      // The hook sees the CLI's packages, so an empty list cannot pass for a lean start.
      expect(
        loaded.some((line) => line.includes('/node_modules/commander/')),
        args.join(' '),
      ).toBe(true);
      expect(
        loaded.filter((line) => heavy.test(line)),
        args.join(' '),
      ).toEqual([]);
    }
  }, 60_000);
});
