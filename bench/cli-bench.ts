import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../core/project-root.js';
import { median } from './median.js';

const run = promisify(execFile);

export interface CliStartupResult {
  /** Wall seconds of each run, per command. */
  runsS: Record<string, number[]>;
  medianS: Record<string, number>;
}

/**
 * What every command pays before it does anything: `gauntlet --help` and `gauntlet status` (no stack) from
 * process start to exit, 7 runs each, interleaved so that a busy moment of the host touches both.
 */
export async function benchCliStartup(runs = 7): Promise<CliStartupResult> {
  const home = mkdtempSync(join(tmpdir(), 'gauntlet-bench-cli-'));
  const commands: Record<string, string[]> = { help: ['--help'], status: ['status'] };
  const runsS: Record<string, number[]> = { help: [], status: [] };
  try {
    for (let i = 0; i < runs; i++) {
      for (const [name, args] of Object.entries(commands)) {
        const started = process.hrtime.bigint();
        await run(process.execPath, [join(projectRoot(), 'bin', 'gauntlet.js'), ...args], {
          env: { ...process.env, GAUNTLET_HOME: home },
        });
        runsS[name]?.push(Number(process.hrtime.bigint() - started) / 1e9);
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const medianS = Object.fromEntries(Object.entries(runsS).map(([name, xs]) => [name, median(xs)]));
  return { runsS, medianS };
}
