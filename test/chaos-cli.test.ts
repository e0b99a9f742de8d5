import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { workerKill } from '../chaos/experiments/worker-kill.js';
import { workerNodeFreeze } from '../chaos/experiments/worker-node-freeze.js';
import { processState } from '../core/process/process-identity.js';
import { parseRunJson } from '../reports/render/write-reports.js';
import { runCli, spawnCli } from './support/cli.js';
import { waitUntil } from './support/local-stack.js';
import { shortenedExperiment } from './support/shortened-experiment.js';

const home = mkdtempSync(join(tmpdir(), 'gauntlet-chaos-'));
const env = { GAUNTLET_HOME: home };

/**
 * A shipped experiment cut short and written as the YAML file a user would pass to `gauntlet chaos`: the
 * CLI path (plan, stack, k6, judgement, reports, exit code) is under test, not the 300 ms standard, which
 * the full-length experiments are held to by `npm run bench`.
 */
function experimentFile(
  name: string,
  experiment: Parameters<typeof shortenedExperiment>[0],
  { rate, faultDurationS, streamsOnly }: { rate: number; faultDurationS: number; streamsOnly?: boolean },
) {
  const file = join(home, `${name}.yaml`);
  const short = shortenedExperiment(experiment, {
    windowS: 5,
    latencyBoundMs: 5_000,
    rate,
    durationS: 30,
    faultAt: 10,
    faultDurationS,
  });
  const load = streamsOnly ? { ...short.load, endpointMix: { chat_stream: 1 } } : short.load;
  writeFileSync(file, stringify({ ...short, load }));
  return file;
}

describe('chaos verdicts can fail', () => {
  it('with re-dispatch off, gauntlet chaos fails worker-kill on its failed requests and exits 1', async () => {
    const config = join(home, 'no-redispatch.yaml');
    writeFileSync(config, 'batchers:\n  redispatch:\n    enabled: false\n');
    const out = join(home, 'no-redispatch');
    const result = await runCli(
      [
        'chaos',
        // What re-dispatch off costs is the streams under way on the killed worker: a request that has no
        // token yet is answered 502 by its batcher, and the gateway retries it on the other batcher unseen.
        // Streams only, 100 req/s and 24 tokens each: streams mid-answer on each worker when one is killed
        // (with the shipped half /infer and 8 tokens the killed worker could have none: a CI run read 0
        // failed requests). 32 or 48 tokens overload 2 cores and put the steady state near its 5 s bound.
        experimentFile('worker-kill', workerKill, { rate: 100, faultDurationS: 8, streamsOnly: true }),
        '--max-tokens',
        '24',
        '--platform',
        'local',
        '--config',
        config,
        '--out',
        out,
      ],
      env,
      180_000,
    );
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^\s+fail\s+fault kill-worker/m);
    const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
    const fault = run.faults?.find((f) => f.id === 'kill-worker');
    expect(fault?.verdict).toBe('fail');
    expect(fault?.failedRequests).toBeGreaterThan(0);
    // Failed for the right reason: the requests the killed worker held, not latency or a starved host.
    expect(fault?.reason).toMatch(/failed requests \d+ > maxFailedRequests 0/);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/kill-worker/);
  }, 200_000);
});

describe('a harness killed in the middle of an experiment', () => {
  it('leaves nothing frozen or orphaned once gauntlet down has run', async () => {
    const out = join(home, 'killed');
    // Frozen for longer than the test waits: the harness dies with the node frozen.
    const experiment = experimentFile('worker-node-freeze', workerNodeFreeze, {
      rate: 25,
      faultDurationS: 20,
    });
    const child = spawnCli(['chaos', experiment, '--platform', 'local', '--out', out], env);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Wait until the node is frozen, then SIGKILL the harness (no chance to roll back).
    await waitUntil('the freeze was injected', () => /injecting /.test(stderr), 90_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const status = JSON.parse((await runCli(['status', '--json'], env)).stdout) as {
      stacks: Array<{ components: Array<{ pid: number; state: string }> }>;
    };
    const components = status.stacks.flatMap((s) => s.components);
    expect(
      components.some((c) => c.state === 'frozen'),
      stderr,
    ).toBe(true);
    const pids = components.map((c) => c.pid);
    child.kill('SIGKILL');
    const down = await runCli(['down'], env);
    expect(down.code).toBe(0);
    const gone = (pid: number) => ['Z', undefined].includes(processState(pid));
    await waitUntil('every process of the stack is gone', () => pids.every(gone), 10_000);
    expect(pids.filter((pid) => ['T', 't'].includes(processState(pid) ?? ''))).toEqual([]);
    expect((await runCli(['status'], env)).stdout).toMatch(/no stack is running/);
  }, 150_000);
});
