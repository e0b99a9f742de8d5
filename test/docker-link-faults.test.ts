import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityIssues } from '../chaos/experiment/check-capabilities.js';
import {
  needsNetworkProxies,
  shippedExperiment,
  shippedExperiments,
} from '../chaos/experiments/shipped-experiments.js';
import { runExperiment } from '../chaos/run-experiment.js';
import { FetchLoad } from '../chaos/testing/fetch-load.js';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import type { StackHandle } from '../core/platform/platform.js';
import { docker } from '../platforms/docker/docker-cli.js';
import { DockerPlatform } from '../platforms/docker/docker-platform.js';
import { leftByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { labelKeys } from '../platforms/docker/stack/labels.js';
import { dockerSkipReason } from './support/docker-engine.js';
import { scrapeHostOverloads } from './support/host-overload-scrapes.js';
import { useTempGauntletHome } from './support/local-stack.js';
import { shortenedExperiment } from './support/shortened-experiment.js';

// Network faults on the docker platform, against the real engine: a toxiproxy container on the run's
// network with a proxy on every link, the stack's own traffic through it, the harness past it, and toxics
// that show in what a client of the gateway sees. Needs dist/ and a Docker engine.
const skip = await dockerSkipReason();

// One of each, so a fault on a link is a fault on the only path (a clear signal on a shared 2-core host).
const topology = [
  'etcd:',
  '  members: 1',
  'batchers:',
  '  replicas: 1',
  'nodes:',
  '  - name: node-a',
  '    gpus: 1',
].join('\n');

/** One request through the gateway: its status (0 when it failed or did not answer in time) and duration. */
async function infer(stack: StackHandle, timeoutMs = 10_000): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  try {
    const response = await fetch(`${stack.gatewayUrl}/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Say hello.', max_tokens: 4 }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - t0 };
  } catch {
    return { status: 0, ms: performance.now() - t0 };
  }
}

/** Median duration of n sequential successful requests (any failure fails the test). */
async function medianMs(stack: StackHandle, n: number): Promise<number> {
  const durations: number[] = [];
  for (let i = 0; i < n; i++) {
    const result = await infer(stack);
    expect(result.status).toBe(200);
    durations.push(result.ms);
  }
  durations.sort((a, b) => a - b);
  return durations[Math.floor(n / 2)] ?? Number.NaN;
}

/** Polls (bounded) until a request succeeds again; resolves with how long that took. */
async function recovered(stack: StackHandle, withinMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < withinMs) {
    if ((await infer(stack, 5_000)).status === 200) return Date.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no successful request within ${withinMs} ms of the rollback`);
}

describe('network experiments on the docker platform', () => {
  it('pass its capability check: every shipped experiment with network faults may run there', () => {
    const network = shippedExperiments.filter(needsNetworkProxies);
    expect(network.map((e) => e.id)).toEqual(expect.arrayContaining(['network-delay', 'worker-partition']));
    for (const experiment of network) expect(capabilityIssues(experiment, new DockerPlatform())).toEqual([]);
  });
});

describe.skipIf(skip !== undefined)(`docker link faults${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let stack: StackHandle;
  let baselineMs = 0;
  const platform = new DockerPlatform();

  beforeAll(async () => {
    useTempGauntletHome();
    stack = await platform.up(parseClusterConfig(topology), {
      networkProxies: true,
      readyTimeoutMs: 60_000,
      log: (m) => process.stderr.write(`${m}\n`),
    });
    // Warm up (first requests open the connections through the proxies), then the healthy figure.
    for (let i = 0; i < 3; i++) await infer(stack);
    baselineMs = await medianMs(stack, 5);
    process.stderr.write(`docker link faults: healthy median ${baselineMs.toFixed(0)} ms\n`);
  }, 300_000);

  afterAll(async () => {
    if (!stack) return;
    await stack.down();
    // Nothing of the run is left: no container (the toxiproxy one included), no network, no volume.
    expect(await leftByLabel(stack.runId)).toEqual([]);
  }, 60_000);

  it('runs one toxiproxy container labelled with the run, its API published on 127.0.0.1 only', async () => {
    const names = (
      await docker(['ps', '--filter', `label=${labelKeys.run}=${stack.runId}`, '--format', '{{.Names}}'])
    )
      .trim()
      .split('\n');
    expect(names).toContain(`gauntlet-${stack.runId}-toxiproxy`);
    expect((await docker(['port', `gauntlet-${stack.runId}-toxiproxy`])).trim()).toMatch(
      /^8474\/tcp -> 127\.0\.0\.1:\d+$/,
    );
    const links = stack.links;
    expect(links).toBeDefined();
    expect(links?.targets('batcher->worker')).toEqual(['node-a-gpu0']);
    expect(links?.targets('gateway->batcher')).toEqual(['batcher-0']);
    expect(links?.targets('any->etcd')).toEqual(['etcd-0']);
    expect(await links?.leftovers()).toEqual([]);
  });

  it('has the services use the proxies: the worker is registered at its proxy, which the harness reaches past', async () => {
    const registered = await fetch(`${stack.etcdEndpoints[0]}/v3/kv/range`, {
      method: 'POST',
      body: JSON.stringify({
        key: Buffer.from('\0').toString('base64'),
        range_end: Buffer.from('\0').toString('base64'),
      }),
      signal: AbortSignal.timeout(5_000),
    }).then((r) => r.json() as Promise<{ kvs?: Array<{ value: string }> }>);
    const values = (registered.kvs ?? []).map((kv) => Buffer.from(kv.value, 'base64').toString());
    const proxyUrl = values.join('\n').match(/http:\/\/toxiproxy:\d+/)?.[0];
    expect(proxyUrl, `a proxy address among the registrations: ${values.join(' | ')}`).toBeDefined();
    const worker = stack.component('node-a-gpu0');
    // The component's own URL is the container's address; a proxy address maps to its target's.
    expect(worker.url).toMatch(/^http:\/\/[\d.]+:8000$/);
    const direct = await stack.reach(`${proxyUrl}/readyz`);
    expect(direct).toMatch(/^http:\/\/[\d.]+:8000\/readyz$/);
    expect((await fetch(direct, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
  });

  it('adds latency on a link, seen in request latency through the gateway, and takes it away', async () => {
    const links = stack.links;
    if (!links) throw new Error('no links');
    const undo = await links.inject('gateway->batcher', 'batcher-0', {
      kind: 'latency',
      latencyMs: 400,
      jitterMs: 0,
      direction: 'downstream',
    });
    const during = await medianMs(stack, 5);
    expect((await links.leftovers()).map((l) => l.what)).toEqual([
      expect.stringMatching(
        /^toxic gauntlet-latency-downstream-\d+ \(latency downstream latency=400 jitter=0\)$/,
      ),
    ]);
    await undo();
    const after = await medianMs(stack, 5);
    process.stderr.write(
      `latency: healthy ${baselineMs.toFixed(0)} ms, +400 ms toxic ${during.toFixed(0)} ms, after ${after.toFixed(0)} ms\n`,
    );
    // Every answer crossed the toxic once: at least the 400 ms it adds (less a little for timer slack).
    expect(during - baselineMs).toBeGreaterThan(350);
    expect(after).toBeLessThan(during - 250);
    expect(await links.leftovers()).toEqual([]);
  }, 120_000);

  it('refuses the only batcher: requests fail while the harness still reaches it, and recover after rollback', async () => {
    const links = stack.links;
    if (!links) throw new Error('no links');
    const undo = await links.inject('gateway->batcher', 'batcher-0', { kind: 'refuse' });
    try {
      const results = [await infer(stack, 5_000), await infer(stack, 5_000), await infer(stack, 5_000)];
      expect(results.every((r) => r.status !== 200)).toBe(true);
      expect((await links.leftovers()).map((l) => l.what)).toEqual(['proxy disabled']);
      // The harness goes past the proxy: the batcher itself answers.
      const batcher = stack.component('batcher-0');
      const readyz = await fetch(`${await stack.reach(batcher.url ?? '')}/readyz`, {
        signal: AbortSignal.timeout(5_000),
      });
      expect(readyz.status).toBe(200);
    } finally {
      await undo();
    }
    const tookMs = await recovered(stack, 30_000);
    process.stderr.write(`refuse: recovered ${tookMs} ms after the rollback\n`);
    expect(await links.leftovers()).toEqual([]);
  }, 120_000);

  it('blackholes the only worker: requests get no answer, and recover after rollback', async () => {
    const links = stack.links;
    if (!links) throw new Error('no links');
    const undo = await links.inject('batcher->worker', 'node-a-gpu0', {
      kind: 'blackhole',
      direction: 'both',
    });
    try {
      // Healthy answers take well under a second; with every byte to and from the worker dropped, none comes.
      const result = await infer(stack, 3_000);
      expect(result.status).not.toBe(200);
      expect((await links.leftovers()).length).toBe(2);
    } finally {
      await undo();
    }
    const tookMs = await recovered(stack, 45_000);
    process.stderr.write(`blackhole: recovered ${tookMs} ms after the rollback\n`);
    expect(await links.leftovers()).toEqual([]);
  }, 120_000);

  it('serves through the proxy again after the worker behind it is killed and restarted (toxiproxy dials it by name)', async () => {
    const worker = stack.component('node-a-gpu0');
    await worker.kill('SIGKILL');
    expect((await infer(stack, 3_000)).status).not.toBe(200);
    await worker.restart();
    const tookMs = await recovered(stack, 30_000);
    process.stderr.write(`worker restart: serving again ${tookMs} ms after it was ready\n`);
    expect(await stack.links?.leftovers()).toEqual([]);
  }, 90_000);

  it('clearAll removes what a fault left behind', async () => {
    const links = stack.links;
    if (!links) throw new Error('no links');
    await links.inject('any->etcd', 'etcd-0', { kind: 'bandwidth', rateKBps: 100, direction: 'both' });
    await links.inject('batcher->worker', 'node-a-gpu0', { kind: 'reset_peer', timeoutMs: 0 });
    expect((await links.leftovers()).length).toBe(3);
    await links.clearAll();
    expect(await links.leftovers()).toEqual([]);
    expect(await recovered(stack, 30_000)).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('runs the shipped network-delay experiment unchanged but shortened, and leaves no toxic behind', async () => {
    const shipped = shippedExperiment('network-delay');
    // As in docker-chaos-experiments.test.ts: 5 s windows, an 8 s fault at t+7 s, 24 s of load, and a
    // latency SLO loosened for a shared 2-core host; the fault itself is the shipped one.
    const experiment = shortenedExperiment(shipped, {
      windowS: 5,
      latencyBoundMs: 10_000,
      durationS: 24,
      faultAt: 7,
      faultDurationS: 8,
    });
    // Judged by the run's host-overload rule, as a user's run is (test/support/host-overload-scrapes.ts).
    await using scrapes = scrapeHostOverloads(stack);
    const result = await runExperiment(experiment, {
      stack,
      load: new FetchLoad({ model: stack.config.model_name }),
      outDir: join(stack.runDir, 'chaos', 'network-delay'),
      hostOverloads: scrapes.hostOverloads,
      ...(stack.links ? { links: stack.links } : {}),
    });
    const fault = result.faults[0];
    const summary = JSON.stringify({
      status: result.status,
      reasons: result.reasons,
      audit: result.audit,
      fault: { ...fault, windows: undefined },
    });
    expect(result.status, summary).toBe('completed');
    expect(fault?.injectedAt, summary).not.toBeNull();
    expect(fault?.failedTotal, summary).toBe(0);
    expect(result.audit, summary).toEqual([]);
    expect(result.verdict, summary).not.toBe('fail');
    expect(await stack.links?.leftovers()).toEqual([]);
  }, 180_000);
});
