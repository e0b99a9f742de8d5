import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackFaults } from '../chaos/faults/stack-faults.js';
import { workerAdmin } from '../chaos/faults/worker-admin.js';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import type { StackHandle } from '../core/platform/platform.js';
import { docker } from '../platforms/docker/docker-cli.js';
import { DockerPlatform } from '../platforms/docker/docker-platform.js';
import { leftByLabel, removeByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { labelKeys } from '../platforms/docker/stack/labels.js';
import { dockerSkipReason } from './support/docker-engine.js';
import { useTempGauntletHome } from './support/local-stack.js';

// The docker platform end to end: bring-up, inference through the published gateway, faults as engine
// operations, and a teardown that leaves nothing labelled with the run. Needs dist/ and a Docker engine.
const skip = await dockerSkipReason();

const topology = [
  'etcd:',
  '  members: 3',
  'batchers:',
  '  replicas: 2',
  'nodes:',
  '  - name: node-a',
  '    gpus: 2',
  '  - name: node-b',
  '    gpus: 2',
  'resource_limits:',
  '  gpu: 2',
  '  cpu: "1"',
  '  memory: 512Mi',
].join('\n');

async function infer(stack: StackHandle): Promise<Response> {
  return fetch(`${stack.gatewayUrl}/infer`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Summarise the cluster state in one line.', max_tokens: 8 }),
    signal: AbortSignal.timeout(10_000),
  });
}

/** The component's state once it reads stopped, or whatever it reads when `ms` have passed (bounded poll). */
async function stoppedWithin(component: ReturnType<StackHandle['component']>, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  let state = await component.state();
  while (state !== 'stopped' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    state = await component.state();
  }
  return state;
}

async function labelsOf(containerId: string): Promise<Record<string, string>> {
  return JSON.parse(await docker(['inspect', '--format', '{{json .Config.Labels}}', containerId])) as Record<
    string,
    string
  >;
}

describe.skipIf(skip !== undefined)(`docker platform${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let stack: StackHandle;
  const timings: Record<string, number> = {};
  const config = parseClusterConfig(topology);
  const platform = new DockerPlatform();

  beforeAll(async () => {
    useTempGauntletHome();
    // Images are built (or found cached) first, so the bring-up figure is containers to ready alone.
    const t0 = Date.now();
    stack = await platform.up(config, { readyTimeoutMs: 60_000, log: (m) => process.stderr.write(`${m}\n`) });
    timings.upMs = Date.now() - t0;
  }, 300_000);

  afterAll(async () => {
    if (!stack) return;
    const t0 = Date.now();
    await stack.down();
    timings.downMs = Date.now() - t0;
    process.stderr.write(`docker platform timings: ${JSON.stringify(timings)}\n`);
    expect(await leftByLabel(stack.runId)).toEqual([]);
  }, 60_000);

  it('runs one labelled container per component, the gateway published on 127.0.0.1 only', async () => {
    expect(stack.platform).toBe('docker');
    expect(stack.components({ role: 'etcd' })).toHaveLength(3);
    expect(stack.components({ role: 'batcher' })).toHaveLength(2);
    expect(stack.components({ node: 'node-b' }).map((c) => c.id)).toEqual(['node-b-gpu0', 'node-b-gpu1']);
    expect(stack.gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The plan made without starting anything names exactly what runs.
    expect(stack.components().map(({ role, id, node }) => ({ role, id, node }))).toEqual(
      platform.plan(config).components,
    );
    expect(stack.component('batcher-0').instance).toMatchObject({ kind: 'container' });
    const ids = (await docker(['ps', '-q', '--filter', `label=${labelKeys.run}=${stack.runId}`]))
      .trim()
      .split('\n');
    expect(ids).toHaveLength(3 + 2 + 4 + 1);
    // This run's containers only: other test files run their own stacks at the same time.
    const ofRun = ['--filter', `label=${labelKeys.run}=${stack.runId}`];
    const worker = (
      await docker(['ps', '-q', ...ofRun, '--filter', `label=${labelKeys.id}=node-a-gpu1`])
    ).trim();
    expect(await labelsOf(worker)).toMatchObject({
      [labelKeys.run]: stack.runId,
      [labelKeys.role]: 'worker',
      [labelKeys.node]: 'node-a',
      [labelKeys.id]: 'node-a-gpu1',
    });
    // resource_limits apply to workers: 1 CPU, 512 MiB.
    const limits = (
      await docker(['inspect', '--format', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}', worker])
    ).trim();
    expect(limits).toBe(`${1e9} ${512 * 2 ** 20}`);
    const gateway = (
      await docker(['ps', '-q', ...ofRun, '--filter', `label=${labelKeys.id}=gateway-0`])
    ).trim();
    expect((await docker(['port', gateway])).trim()).toMatch(/^8000\/tcp -> 127\.0\.0\.1:\d+$/);
  });

  it('answers inference through the gateway', async () => {
    const response = await infer(stack);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { usage: { completion_tokens: number } };
    expect(body.usage.completion_tokens).toBe(8);
  });

  it('kills a worker (docker kill), keeps serving, and restarts it with the same id', async () => {
    const worker = stack.component('node-a-gpu0');
    await worker.kill('SIGKILL');
    expect(await worker.state()).toBe('stopped');
    for (let i = 0; i < 5; i++) expect((await infer(stack)).status).toBe(200);
    const t0 = Date.now();
    await worker.restart();
    timings.workerRestartMs = Date.now() - t0;
    expect(await worker.state()).toBe('running');
    expect(worker.url).toMatch(/^http:\/\/[\d.]+:8000$/);
    expect((await fetch(`${worker.url}/readyz`)).status).toBe(200);
  }, 60_000);

  it('freezes a batcher (docker pause) and thaws it', async () => {
    const batcher = stack.component('batcher-1');
    await batcher.freeze();
    expect(await batcher.state()).toBe('frozen');
    const state = (
      await docker(['inspect', '--format', '{{.State.Status}}', `gauntlet-${stack.runId}-batcher-1`])
    ).trim();
    expect(state).toBe('paused');
    await batcher.thaw();
    expect(await batcher.state()).toBe('running');
    expect((await fetch(`${batcher.url}/healthz`, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
  }, 30_000);

  it('GPU faults through the worker admin API, as on local: each rollback undoes its own; a crash restarts the container', async () => {
    const faults = new StackFaults(stack);
    const worker = stack.component('node-b-gpu0');
    const active = () => workerAdmin(worker.url ?? '', stack.adminToken, 'GET');
    const slow = await faults.gpu(
      ['node-b-gpu0'],
      { slowdown: 10 },
      { faultId: 'slow', action: 'gpu-slowdown' },
    );
    const oom = await faults.gpu(['node-b-gpu0'], { oom: true }, { faultId: 'oom', action: 'gpu-oom' });
    expect(await active()).toMatchObject({ slowdown: 10, oom: true });
    // The stack keeps answering: the batcher routes around the OOM worker (re-dispatch).
    for (let i = 0; i < 5; i++) expect((await infer(stack)).status).toBe(200);
    await slow.run();
    await oom.run();
    expect(await active()).toEqual({ slowdown: 1, errorRate: 0, hang: false, oom: false });

    const crash = await faults.gpu(
      ['node-b-gpu0'],
      { crash: true },
      { faultId: 'crash', action: 'gpu-crash' },
    );
    // The worker exits after answering the admin call: the engine's events mark its container stopped.
    expect(await stoppedWithin(worker, 10_000)).toBe('stopped');
    await crash.run();
    expect(await worker.state()).toBe('running');
    expect(faults.journal.entry('crash')?.revertError).toBeUndefined();
    expect(await active()).toMatchObject({ slowdown: 1, oom: false });
  }, 60_000);

  it('sees a container killed from outside the harness as dead (engine events)', async () => {
    const worker = stack.component('node-b-gpu1');
    await docker(['kill', `gauntlet-${stack.runId}-node-b-gpu1`]);
    expect(await stoppedWithin(worker, 5_000)).toBe('stopped');
    await worker.restart();
    expect(await worker.state()).toBe('running');
  }, 60_000);

  it('kills a whole node: every container of that node, gracefully', async () => {
    const node = stack.components({ node: 'node-b' });
    await Promise.all(node.map((c) => c.kill('SIGTERM')));
    expect(await Promise.all(node.map((c) => c.state()))).toEqual(['stopped', 'stopped']);
    expect((await infer(stack)).status).toBe(200);
    await Promise.all(node.map((c) => c.restart()));
    expect(await Promise.all(node.map((c) => c.state()))).toEqual(['running', 'running']);
  }, 90_000);
});

describe.skipIf(skip !== undefined)(`docker cleanup by label${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('removes what a crashed run left (containers, a paused one too, network, volume) from another process', async () => {
    const runId = `crashed-${Date.now()}`;
    const label = `${labelKeys.run}=${runId}`;
    const image =
      (
        await docker([
          'images',
          '--filter',
          'label=dev.gauntlet.image=etcd',
          '--format',
          '{{.Repository}}:{{.Tag}}',
        ])
      )
        .trim()
        .split('\n')[0] ?? '';
    // Started with the CLI, not through any handle: nothing in this process knows about them.
    await docker(['network', 'create', '--label', label, `gauntlet-${runId}`]);
    await docker(['volume', 'create', '--label', label, `gauntlet-${runId}-data`]);
    for (const name of ['a', 'b']) {
      await docker([
        'run',
        '-d',
        '--label',
        label,
        '--network',
        `gauntlet-${runId}`,
        '--name',
        `gauntlet-${runId}-${name}`,
        image,
      ]);
    }
    await docker(['pause', `gauntlet-${runId}-b`]);
    expect(await leftByLabel(runId)).toHaveLength(4);
    expect(await removeByLabel(runId)).toEqual({ containers: 2, networks: 1, volumes: 1 });
    expect(await leftByLabel(runId)).toEqual([]);
  }, 60_000);
});
