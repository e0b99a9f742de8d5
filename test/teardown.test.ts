import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { identityOf, isSameProcessAlive, type ProcessIdentity } from '../core/process/process-identity.js';
import { firstLine, runCli, spawnCli, writeSmallConfig } from './support/cli.js';
import { waitUntil } from './support/local-stack.js';

interface UpJson {
  gateway: string;
  apiKey: string;
  components: Array<{
    role: string;
    id: string;
    node: string;
    url: string;
    instance: { kind: string; pid: number };
  }>;
}

function identities(up: UpJson): ProcessIdentity[] {
  return up.components.flatMap((c) => {
    const id = identityOf(c.instance.pid);
    return id ? [id] : [];
  });
}

/** Homes the tests used: a detached stack outlives a failed assertion, so each home's `down` runs after. */
const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await runCli(['down'], { GAUNTLET_HOME: home });
});

function freshHome() {
  const home = mkdtempSync(join(tmpdir(), 'gauntlet-cli-'));
  homes.push(home);
  return { home, env: { GAUNTLET_HOME: home }, config: writeSmallConfig(home) };
}

describe('nothing is left behind', () => {
  it('up --detach leaves a working stack; down stops every process of it', async () => {
    const { env, config } = freshHome();
    const up = await runCli(['up', '--platform', 'local', '--config', config, '--detach', '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout) as UpJson;
    const pids = identities(info);
    expect(pids).toHaveLength(5);
    expect(pids.every(isSameProcessAlive)).toBe(true);

    // A streamed chat completion with the printed key works while the CLI is gone.
    const response = await fetch(`${info.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'glm-4-9b-chat',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 5,
        stream: true,
      }),
    });
    const sse = await response.text();
    expect(sse).toContain('data: [DONE]');

    const status = await runCli(['status', '--json'], env);
    expect(JSON.parse(status.stdout).stacks).toHaveLength(1);

    const down = await runCli(['down'], env);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/stopped .* \(detached\)/);
    expect(pids.filter(isSameProcessAlive)).toEqual([]);
    expect((await runCli(['status'], env)).stdout).toMatch(/no stack is running/);
  });

  it('a SIGKILLed harness takes its stack with it, and down clears the record', async () => {
    const { env, config } = freshHome();
    const child = spawnCli(['up', '--platform', 'local', '--config', config, '--json'], env);
    const info = JSON.parse(await firstLine(child, 30_000)) as UpJson;
    const pids = identities(info);
    expect(pids.every(isSameProcessAlive)).toBe(true);
    child.kill('SIGKILL');
    await waitUntil(
      'every component died with its harness',
      () => pids.every((p) => !isSameProcessAlive(p)),
      5_000,
    );
    const down = await runCli(['down'], env);
    expect(down.stdout).toMatch(/orphaned/);
    expect((await runCli(['status'], env)).stdout).toMatch(/no stack is running/);
  });

  it('Ctrl-C on a foreground stack stops everything and exits 130', async () => {
    const { env, config } = freshHome();
    const child = spawnCli(['up', '--platform', 'local', '--config', config, '--json'], env);
    const info = JSON.parse(await firstLine(child, 30_000)) as UpJson;
    const pids = identities(info);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(pids.filter(isSameProcessAlive)).toEqual([]);
    expect((await runCli(['status'], env)).stdout).toMatch(/no stack is running/);
  });

  it('a bad config is a clear error with exit 3 and no stack trace', async () => {
    const { env, home } = freshHome();
    const bad = join(home, 'bad.yaml');
    (await import('node:fs')).writeFileSync(bad, 'batchers:\n  max_batch_size: -1\n');
    const result = await runCli(['up', '--platform', 'local', '--config', bad], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${bad}:2:3: batchers.max_batch_size: must be >= 1 (got -1)`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
