import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedCpus } from '../core/process/cpu-set.js';
import { parseRunJson } from '../reports/render/write-reports.js';
import { runCli, spawnCli, writeSmallConfig } from './support/cli.js';

const home = mkdtempSync(join(tmpdir(), 'gauntlet-cpusplit-'));
const env = { GAUNTLET_HOME: home };

/** The CPUs a process may run on, as the kernel has them. */
function cpusOf(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? '?';
}

// --cpu-split LOADGEN:STACK keeps the generator and the stack it measures on different CPUs: every stack
// process and k6 are checked in the kernel's own records while the run is under way.
describe('--cpu-split', () => {
  const [first, second] = allowedCpus();
  it.skipIf(second === undefined)('puts k6 and every stack process on their own CPUs', async () => {
    const out = join(home, 'split');
    const child = spawnCli(
      [
        'run',
        'load',
        '--platform',
        'local',
        '--config',
        writeSmallConfig(home),
        '--cpu-split',
        `${second}:${first}`,
        '--rps',
        '5',
        '--duration',
        '6s',
        '--no-progress',
        '--out',
        out,
      ],
      env,
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const started = Date.now();
    while (!stderr.includes('load:') && Date.now() - started < 60_000)
      await new Promise((r) => setTimeout(r, 100));
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as {
      stacks: Array<{ components: Array<{ role: string; id: string; pid: number }> }>;
    };
    const components = status.stacks[0]?.components ?? [];
    expect(components.length, stderr).toBeGreaterThan(3);
    for (const c of components) expect(`${c.id} ${cpusOf(c.pid)}`).toBe(`${c.id} ${first}`);
    // k6 is the CLI's child (setpriv and taskset exec it in place).
    const k6 = execFileSync('pgrep', ['-P', String(child.pid), '-x', 'k6'], { encoding: 'utf8' }).trim();
    expect(k6, 'k6 is running').not.toBe('');
    expect(cpusOf(Number(k6.split('\n')[0]))).toBe(String(second));
    await exited;
    const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
    expect(run.notes).toContain(`CPUs: generator on CPUs ${second}, stack on ${first}`);
  });

  it('refuses CPUs the process may not use, before anything starts', async () => {
    const result = await runCli(
      ['run', 'smoke', '--platform', 'local', '--cpu-split', '4096:0', '--out', join(home, 'bad')],
      env,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/CPU 4096 is not available to this process/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
