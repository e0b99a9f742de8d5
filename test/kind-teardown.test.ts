import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, writeSmallConfig } from './support/cli.js';
import { type HeldLock, holdLock } from './support/host-lock.js';
import { hostRoutesVia, kindNodeContainers, kindNodeIps, kindSkipReason } from './support/kind-cluster.js';

const skip = await kindSkipReason();
const sh = async (file: string, args: string[]) => (await promisify(execFile)(file, args)).stdout;

// A harness that dies leaves its kind cluster running (nothing in it dies with the harness's process):
// `gauntlet down` finds it through the run's record and deletes it with its host routes. The harness dies
// mid-bring-up, as soon as its cluster is created and the host routes to its pods are in, before its
// nodes and the stack's pods are ready: the run's record exists from before the cluster did. Needs dist/.
describe.skipIf(skip !== undefined)(`kind: nothing left behind${skip ? ` (skipped: ${skip})` : ''}`, () => {
  // One kind cluster of this run's tests at a time (the integration files run two at a time).
  let kindLock: HeldLock | undefined;
  beforeAll(async () => {
    kindLock = await holdLock('kind', 600_000);
  }, 610_000);
  afterAll(() => kindLock?.release());

  it('a SIGKILLed harness leaves a cluster that `gauntlet down` deletes, routes and all', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gauntlet-cli-'));
    const env = { GAUNTLET_HOME: home };
    const child = spawnCli(['up', '--platform', 'kind', '--config', writeSmallConfig(home)], env);
    let downed = false;
    try {
      let stderr = '';
      const cluster = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no cluster in 600 s\n${stderr}`)), 600_000);
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
          const created = /^kind create cluster (gauntlet-\S+): /m.exec(stderr);
          if (created?.[1]) {
            clearTimeout(timer);
            resolve(created[1]);
          }
        });
      });
      const nodes = await kindNodeContainers(cluster);
      expect(nodes).toHaveLength(2);
      const nodeIps = await kindNodeIps(cluster);
      // One route per node, a few seconds after the cluster is created (each node's pod CIDR, once
      // assigned); nothing announces them, so look every 200 ms, for at most 60 s.
      for (const deadline = Date.now() + 60_000; (await hostRoutesVia(nodeIps)).length < nodes.length; ) {
        if (Date.now() > deadline) {
          const routes = await sh('ip', ['route']);
          throw new Error(
            `no host route to each node's pods within 60 s (nodes ${nodeIps.join(', ')}):\n${routes}\nharness:\n${stderr}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect(await kindNodeContainers(cluster), 'the cluster outlives its harness').not.toEqual([]);

      const down = await runCli(['down'], env, 300_000);
      downed = true;
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toMatch(/orphaned/);
      expect(await kindNodeContainers(cluster)).toEqual([]);
      expect(await hostRoutesVia(nodeIps)).toEqual([]);
      expect((await runCli(['status'], env)).stdout).toMatch(/no stack is running/);
    } finally {
      // Whatever failed above, the cluster goes: a failed test must not leave one running.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (!downed) await runCli(['down'], env, 300_000);
    }
  }, 900_000);
});
