import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEtcdLeader } from '../chaos/faults/etcd-status.js';
import { StackFaults } from '../chaos/faults/stack-faults.js';
import { workerAdmin } from '../chaos/faults/worker-admin.js';
import { processState } from '../core/process/process-identity.js';
import { planEtcdCluster } from '../platforms/local/etcd-cluster.js';
import { etcdMember, ProcessStack, sleeper } from '../platforms/local/testing/process-stack.js';
import { startWorkerServer, type WorkerServer } from '../stack/worker/worker-server.js';

const adminToken = 'adm-test-token';

describe('StackFaults on real processes', () => {
  let dir: string;
  let stack: ProcessStack;
  let faults: StackFaults;
  const servers: WorkerServer[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gauntlet-faults-'));
    // Each worker: a real process to kill and freeze, plus a real worker admin endpoint at its URL.
    for (const id of ['node-a-gpu0', 'node-a-gpu1', 'node-b-gpu0']) {
      servers.push(
        await startWorkerServer({
          id,
          adminToken,
          onCrash: () => {
            const pid = stack.component(id).pid;
            if (pid !== undefined) process.kill(pid, 'SIGKILL');
          },
        }),
      );
    }
    stack = await ProcessStack.start(
      [
        { role: 'worker', id: 'node-a-gpu0', node: 'node-a', launch: sleeper(servers[0]?.url) },
        { role: 'worker', id: 'node-a-gpu1', node: 'node-a', launch: sleeper(servers[1]?.url) },
        { role: 'worker', id: 'node-b-gpu0', node: 'node-b', launch: sleeper(servers[2]?.url) },
        { role: 'batcher', id: 'batcher-0', node: 'control', launch: sleeper() },
      ],
      { runDir: dir, adminToken },
    );
    faults = new StackFaults(stack);
  });

  afterAll(async () => {
    await stack?.down();
    await Promise.all(servers.map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill: the component is down; its idempotent rollback restarts it; both are journaled', async () => {
    const before = stack.component('batcher-0').pid;
    const rollback = await faults.kill('batcher-0', 'SIGKILL', { faultId: 'k1' });
    expect(stack.component('batcher-0').isRunning()).toBe(false);
    await Promise.all([rollback.run(), rollback.run()]);
    await rollback.run();
    expect(stack.component('batcher-0').isRunning()).toBe(true);
    expect(stack.component('batcher-0').pid).not.toBe(before);
    const entry = faults.journal.entry('k1');
    expect(entry).toMatchObject({ action: 'kill', targets: ['batcher-0'], detail: { signal: 'SIGKILL' } });
    expect(entry?.injectedAt).toBeLessThanOrEqual(entry?.confirmedAt ?? 0);
    expect(entry?.revertedAt).toBeGreaterThanOrEqual(entry?.injectedAt ?? Number.POSITIVE_INFINITY);
  });

  it('node kill takes every component on the node, and only those', async () => {
    const rollback = await faults.killNode('node-a', 'SIGKILL', { faultId: 'n1' });
    expect(stack.components({ node: 'node-a' }).map((c) => c.isRunning())).toEqual([false, false]);
    expect(stack.component('node-b-gpu0').isRunning()).toBe(true);
    expect(faults.journal.entry('n1')?.targets).toEqual(['node-a-gpu0', 'node-a-gpu1']);
    await rollback.run();
    expect(stack.components({ node: 'node-a' }).every((c) => c.isRunning())).toBe(true);
  });

  it('freeze: the kernel reports the process stopped until the rollback thaws it', async () => {
    const rollback = await faults.freezeNode('node-a', { faultId: 'fz' });
    for (const c of stack.components({ node: 'node-a' })) expect(processState(c.pid ?? 0)).toBe('T');
    await rollback.run();
    for (const c of stack.components({ node: 'node-a' })) expect(processState(c.pid ?? 0)).not.toBe('T');
  });

  it('GPU faults go through the admin endpoint; each rollback undoes only its own fields', async () => {
    const worker = stack.component('node-b-gpu0');
    const slow = await faults.gpu(['node-b-gpu0'], { slowdown: 3 });
    const oom = await faults.gpu(['node-b-gpu0'], { oom: true });
    expect(await workerAdmin(worker.url ?? '', adminToken, 'GET')).toMatchObject({ slowdown: 3, oom: true });
    await slow.run();
    expect(await workerAdmin(worker.url ?? '', adminToken, 'GET')).toMatchObject({ slowdown: 1, oom: true });
    await oom.run();
    expect(await workerAdmin(worker.url ?? '', adminToken, 'GET')).toEqual({
      slowdown: 1,
      errorRate: 0,
      hang: false,
      oom: false,
    });
  });

  it('a GPU crash takes the worker down and its rollback restarts it', async () => {
    const rollback = await faults.gpu(
      ['node-a-gpu0'],
      { crash: true },
      { faultId: 'crash', action: 'gpu-crash' },
    );
    await rollback.run();
    expect(stack.component('node-a-gpu0').isRunning()).toBe(true);
    expect(faults.journal.entry('crash')?.revertError).toBeUndefined();
  });

  it('a failed injection throws, is journaled, and leaves nothing behind', async () => {
    await faults.kill('node-a-gpu1');
    await expect(faults.freeze(['node-a-gpu1'], { faultId: 'bad' })).rejects.toThrow(
      'bad: freeze node-a-gpu1 failed',
    );
    expect(faults.journal.entry('bad')?.injectError).toContain('not running');
    expect(await faults.restartDead()).toEqual(['restarted node-a-gpu1']);
    expect(await faults.restartDead()).toEqual([]);
  });

  it('network faults without platform proxies say what is missing', async () => {
    await expect(faults.link('batcher->worker', ['node-a-gpu0'], { kind: 'refuse' })).rejects.toThrow(
      'network faults on batcher->worker need a platform started with network proxies',
    );
  });

  it('sweeps: thaw-all thaws what is frozen, clear-gpu-faults clears every worker', async () => {
    await faults.freeze('batcher-0');
    await faults.gpu(['node-a-gpu1'], { errorRate: 0.5 });
    expect(await faults.thawAll()).toEqual(['thawed batcher-0']);
    expect(processState(stack.component('batcher-0').pid ?? 0)).not.toBe('T');
    expect(await faults.clearGpuFaults()).toEqual([]);
    expect(await workerAdmin(stack.component('node-a-gpu1').url ?? '', adminToken, 'GET')).toMatchObject({
      errorRate: 0,
    });
  });
});

describe('StackFaults on a real 3-member etcd cluster', () => {
  let dir: string;
  let stack: ProcessStack;
  let faults: StackFaults;
  const members = () => stack.components({ role: 'etcd' }).map((c) => ({ id: c.id, url: c.url ?? '' }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gauntlet-etcd-faults-'));
    const specs = await planEtcdCluster(3, join(dir, 'etcd'), 'chaos-test');
    stack = await ProcessStack.start(
      specs.map((spec) => ({
        role: 'etcd' as const,
        id: spec.id,
        node: 'control',
        launch: etcdMember(spec),
      })),
      { runDir: dir, etcdEndpoints: specs.map((s) => s.clientUrl) },
    );
    faults = new StackFaults(stack);
  });

  afterAll(async () => {
    await stack?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kills the leader found through /v3/maintenance/status; the others elect a new one; the rollback rejoins it', async () => {
    const leader = await faults.etcdLeader();
    const rollback = await faults.etcdKillLeader('SIGKILL', { faultId: 'leader' });
    expect(faults.journal.entry('leader')?.targets).toEqual([leader]);
    expect(stack.component(leader).isRunning()).toBe(false);
    const survivors = members().filter((m) => m.id !== leader);
    const next = await findEtcdLeader(survivors, { attempts: 50 });
    expect(next.componentId).not.toBe(leader);
    await rollback.run();
    expect(stack.component(leader).isRunning()).toBe(true);
  });

  it('quorum loss kills a majority, leader first; the rollback restarts them together and a leader returns', async () => {
    const leader = await faults.etcdLeader();
    const rollback = await faults.etcdLoseQuorum('SIGKILL', { faultId: 'quorum' });
    const killed = faults.journal.entry('quorum')?.targets ?? [];
    expect(killed).toHaveLength(2);
    expect(killed[0]).toBe(leader);
    expect(stack.components({ role: 'etcd' }).filter((c) => c.isRunning())).toHaveLength(1);
    await rollback.run();
    expect(stack.components({ role: 'etcd' }).every((c) => c.isRunning())).toBe(true);
    expect((await findEtcdLeader(members())).componentId).toMatch(/^etcd-\d$/);
  });
});
