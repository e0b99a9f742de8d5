import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processState } from '../core/process/process-identity.js';
import { parseRunJson } from '../reports/render/write-reports.js';
import { runCli, spawnCli } from './support/cli.js';
import { waitUntil } from './support/local-stack.js';

const home = mkdtempSync(join(tmpdir(), 'gauntlet-chaos-'));
const env = { GAUNTLET_HOME: home };

describe('chaos verdicts can fail', () => {
  it('with re-dispatch off, the gate failover part fails worker-kill on failed requests and exits 1', async () => {
    const config = join(home, 'no-redispatch.yaml');
    writeFileSync(config, 'batchers:\n  redispatch:\n    enabled: false\n');
    const out = join(home, 'gate-no-redispatch');
    const result = await runCli(
      [
        'gate',
        '--platform',
        'local',
        '--suite',
        'failover',
        '--rate',
        '50',
        '--config',
        config,
        '--no-progress',
        '--out',
        out,
      ],
      env,
      // The failover part is sized for conclusive 300 ms p99 windows: 82 s of load after its own bring-up.
      420_000,
    );
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^\s+fail\s+fault kill-worker/m);
    const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
    const fault = run.faults?.find((f) => f.id === 'kill-worker');
    expect(fault?.verdict).toBe('fail');
    expect(fault?.failedRequests).toBeGreaterThan(0);
    expect(fault?.reason).toMatch(/failed requests \d+ > maxFailedRequests 0/);
    // The load parts themselves were healthy: the failure is the fault's, for the right reason.
    expect(run.slos.filter((s) => !s.id.startsWith('failover:')).every((s) => s.verdict === 'pass')).toBe(
      true,
    );
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/kill-worker/);
  }, 440_000);
});

describe('a harness killed in the middle of an experiment', () => {
  it('leaves nothing frozen or orphaned once gauntlet down has run', async () => {
    const out = join(home, 'killed');
    const child = spawnCli(['chaos', 'worker-node-freeze', '--platform', 'local', '--out', out], env);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Wait until the node is frozen, then SIGKILL the harness (no chance to roll back).
    // The fault comes after a bring-up and the 24 s steady-state window.
    await waitUntil('the freeze was injected', () => /injecting /.test(stderr), 150_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as {
      stacks: Array<{ components: Array<{ pid: number; state: string }> }>;
    };
    const components = status.stacks.flatMap((s) => s.components);
    expect(components.some((c) => c.state === 'frozen')).toBe(true);
    const pids = components.map((c) => c.pid);
    child.kill('SIGKILL');
    const down = await runCli(['down'], env);
    expect(down.code).toBe(0);
    const gone = (pid: number) => ['Z', undefined].includes(processState(pid));
    await waitUntil('every process of the stack is gone', () => pids.every(gone), 10_000);
    expect(pids.filter((pid) => ['T', 't'].includes(processState(pid) ?? ''))).toEqual([]);
    expect((await runCli(['status'], env)).stdout).toMatch(/no stack is running/);
  }, 240_000);
});
