import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../chaos/experiment/experiment-schema.js';
import { shippedExperiment } from '../chaos/experiments/shipped-experiments.js';
import { runExperiment } from '../chaos/run-experiment.js';
import { FetchLoad } from '../chaos/testing/fetch-load.js';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import type { UserFacingError } from '../core/errors/user-facing-error.js';
import type { StackHandle } from '../core/platform/platform.js';
import { clusterObjectsFor, runLabel } from '../platforms/cluster/cluster-objects.js';
import { ClusterPlatform } from '../platforms/cluster/cluster-platform.js';
import { stackOverlayDir, stackOverlays } from '../platforms/cluster/stack-overlays.js';
import { ensureImages } from '../platforms/docker/images/ensure-images.js';
import { type StartedKindCluster, startKindCluster } from '../platforms/kind/kind-cluster.js';
import { ensureKindTools } from '../platforms/kind/kind-toolchain.js';
import { renderKustomization } from '../platforms/kind/kustomize-render.js';
import { nodeImageWith } from '../platforms/kind/node-image-with.js';
import { freePodSubnet } from '../platforms/kind/pod-subnet.js';
import { stackObjectsFor } from '../platforms/kind/stack-objects.js';
import { runCli } from './support/cli.js';
import { completion } from './support/completion.js';
import { type HeldLock, holdLock } from './support/host-lock.js';
import { scrapeHostOverloads } from './support/host-overload-scrapes.js';
import { kindNodeContainers, kindSkipReason } from './support/kind-cluster.js';
import { useTempGauntletHome } from './support/local-stack.js';
import { shortenedExperiment } from './support/shortened-experiment.js';

/**
 * The cluster platform against an "existing cluster": a kind cluster this test creates without Gauntlet's
 * stack, standing in for an operator's (nothing here can use real A100 nodes). The interlock is exercised
 * through the CLI (each refusal exits 3 with its message, and touches nothing); the stack is deployed into
 * the operator's namespace, takes traffic through the port-forward, survives worker-kill, and its teardown
 * leaves the namespace as it was, with no etcd folder on the node.
 */
const skip = await kindSkipReason();
const root = join(import.meta.dirname, '..');
const sh = async (file: string, args: string[]) => (await promisify(execFile)(file, args)).stdout;
const namespace = 'team-chaos';
const gauntlet = (args: string[]) => runCli(args, { ...process.env });

describe.skipIf(skip !== undefined)(`the cluster platform${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let home = '';
  let cluster: StartedKindCluster | undefined;
  let context = '';
  let stack: StackHandle | undefined;
  let allowlist = '';
  let kubectl = '';
  let kindLock: HeldLock | undefined;
  const clusterFlags = () => [
    '--platform',
    'cluster',
    '--context',
    context,
    '--namespace',
    namespace,
    '--kubeconfig',
    cluster?.kubeconfig ?? '',
    '--allowlist',
    allowlist,
  ];

  beforeAll(async () => {
    // One kind cluster of this run's tests at a time (the integration files run two at a time).
    kindLock = await holdLock('kind', 600_000);
    home = useTempGauntletHome();
    allowlist = join(home, 'allow.yaml');
    const log = () => {};
    const tools = await ensureKindTools(root, log);
    kubectl = tools.kubectl;
    const stackImage = (await ensureImages({ root, names: ['stack'], log })).stack?.tag ?? '';
    const name = `gauntlet-test-cluster-${randomBytes(3).toString('hex')}`;
    cluster = await startKindCluster({
      name,
      image: await nodeImageWith(tools.nodeImage, stackImage, log),
      kind: tools.kind,
      kubectl: tools.kubectl,
      gauntletNodes: ['node-a', 'node-b'],
      podSubnet: await freePodSubnet(),
      workDir: join(home, 'cluster'),
    });
    context = `kind-${name}`;
    await cluster.kubectl(['create', 'namespace', namespace]);
  }, 900_000);

  afterAll(async () => {
    await using _lock = kindLock;
    await stack?.down();
    await cluster?.delete();
    if (cluster) {
      expect(await kindNodeContainers(cluster.name)).toEqual([]);
    }
  }, 300_000);

  it('refuses, exit 3 and nothing touched: no allowlist, a context not on it, a namespace not opted in', async () => {
    const dry = async () => gauntlet(['chaos', 'worker-kill', '--dry-run', ...clusterFlags()]);
    let out = await dry();
    expect(out.code, out.stderr).toBe(3);
    expect(out.stderr).toContain(`refused: no cluster allowlist at ${allowlist}`);
    expect(out.stderr).toContain(`- name: ${context}`);
    expect(out.stderr).not.toMatch(/\n\s+at /);

    writeFileSync(allowlist, 'contexts:\n  - name: prod-eu-1\n');
    out = await dry();
    expect(out.code, out.stderr).toBe(3);
    expect(out.stderr).toContain(`refused: context "${context}" is not in the cluster allowlist`);

    writeFileSync(allowlist, `contexts:\n  - name: ${context}\n`);
    out = await dry();
    expect(out.code, out.stderr).toBe(3);
    expect(out.stderr).toContain(
      `refused: namespace "${namespace}" on context "${context}" has not opted in`,
    );
    expect(out.stderr).toContain(`label namespace ${namespace} gauntlet.dev/chaos=allowed`);

    await cluster?.kubectl(['label', 'namespace', namespace, 'gauntlet.dev/chaos=allowed']);
    out = await dry();
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('Interlock: within the blast budget of the allowlist');
    // ... and, in the cluster's names, what the deploy would create and which pods worker-kill may act on.
    expect(out.stdout).toContain(
      `Would create in ${context}/${namespace}, labelled gauntlet.dev/run=<run id>`,
    );
    expect(out.stdout).toContain('StatefulSet/etcd');
    expect(out.stdout).toMatch(/node-a -> \S+: worker-node-a-0 \(node-a-gpu0\)\n/);

    // Over the budget (2 of 3 etcd members), and node loss, which an existing cluster cannot do at all.
    out = await gauntlet(['chaos', 'etcd-quorum-loss', '--dry-run', ...clusterFlags()]);
    expect(out.code, out.stderr).toBe(3);
    expect(out.stdout).toContain('Interlock: REFUSED by the blast budget');
    expect(out.stdout).toContain('could act on 2 of 3 etcd replicas (67 %)');
    out = await gauntlet(['chaos', 'worker-node-kill', '--dry-run', ...clusterFlags()]);
    expect(out.code, out.stderr).toBe(3);
    expect(out.stderr).toContain('node-drain (cordon and evict, honouring PDBs) is the node fault there');
    // None of this created anything in the namespace.
    expect(await cluster?.kubectl(['get', 'all', '-n', namespace, '-o', 'name'])).toBe('');
  }, 180_000);

  for (const overlay of ['a100', 'a100-vllm'] as const) {
    it(`the ${overlay} overlay's objects pass the API server's validation (server-side dry run; no GPU here)`, async () => {
      const engine =
        overlay === 'a100-vllm'
          ? '  engine:\n    kind: openai\n    url: http://127.0.0.1:8000\n    model: glm-4-9b-chat\n'
          : '';
      const config = parseClusterConfig(`worker:\n  tensor_parallel: 2\n${engine}`, 'cluster.yaml');
      const objects = clusterObjectsFor(
        stackObjectsFor(await renderKustomization(stackOverlayDir(root, overlay), { kubectl }), {
          config,
          stackImage: 'registry.example/gauntlet/stack:dry-run',
          adminToken: 'adm',
          apiKey: 'key',
          gpusPerWorker: stackOverlays[overlay].gpusPerWorker,
        }),
        { namespace, runId: `${overlay}-dry-run` },
      );
      const out = await cluster?.kubectl(
        ['apply', '--dry-run=server', '-n', namespace, '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
      );
      expect(out).toContain('statefulset.apps/worker-node-a created (server dry run)');
      expect(out).toContain('statefulset.apps/etcd created (server dry run)');
      expect(out?.trim().split('\n')).toHaveLength(objects.length);
      expect(await cluster?.kubectl(['get', 'all', '-n', namespace, '-o', 'name'])).toBe('');
    }, 120_000);
  }

  it('deploys into the namespace, serves through the port-forward, and meets worker-kill through the API', async () => {
    const platform = new ClusterPlatform({
      context,
      namespace,
      kubeconfig: cluster?.kubeconfig,
      allowlist,
    });
    stack = await platform.up(parseClusterConfig('', 'cluster.yaml'));
    expect(stack.platform).toBe('cluster');
    expect(stack.gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const labelled = await cluster?.kubectl([
      'get',
      'pods',
      '-n',
      namespace,
      '-l',
      `${runLabel}=${stack.runId}`,
      '-o',
      'name',
    ]);
    expect(labelled?.trim().split('\n')).toHaveLength(stack.components().length);

    // One stack per namespace: a second deploy is refused (exit 3) before it builds or applies anything.
    const refusal = await new ClusterPlatform({
      context,
      namespace,
      kubeconfig: cluster?.kubeconfig,
      allowlist,
    })
      .up(parseClusterConfig('', 'cluster.yaml'))
      .then(
        () => undefined,
        (error: unknown) => error as UserFacingError,
      );
    expect(refusal?.exitCode, refusal?.message).toBe(3);
    expect(refusal?.message).toContain(`already holds a Gauntlet stack`);
    expect(refusal?.message).toContain(`run ${stack.runId}: `);
    expect(refusal?.message).toContain(`gauntlet down --run ${stack.runId}`);

    await expectWorkerKillHeld(stack);
  }, 600_000);

  it('--attach runs an experiment against a stack it did not deploy and leaves it as it found it', async () => {
    const deployed = stack as StackHandle;
    const objects = () =>
      cluster?.kubectl([
        'get',
        'statefulsets,deployments,services,pdb,configmaps,secrets',
        '-n',
        namespace,
        '-o',
        'name',
      ]);
    const before = await objects();
    const attached = await new ClusterPlatform({
      context,
      namespace,
      kubeconfig: cluster?.kubeconfig,
      allowlist,
      attach: true,
    }).up(parseClusterConfig('', 'cluster.yaml'));
    try {
      // Found by the reference labels; workers under the ids they register with (their /v1/status), the
      // gateway by slot.
      const ids = attached.components().map((c) => c.id);
      expect(ids).toEqual(
        expect.arrayContaining(['etcd-0', 'batcher-0', 'node-a-gpu0', 'node-b-gpu1', 'gateway-0']),
      );
      expect(ids).toHaveLength(deployed.components().length);
      expect(attached.gatewayUrl).not.toBe(deployed.gatewayUrl);
      await expectWorkerKillHeld(attached);
      // The operator's kill switch: a ConfigMap in the namespace aborts the next experiment at its first tick.
      await cluster?.kubectl([
        'create',
        'configmap',
        'gauntlet-kill-switch',
        '-n',
        namespace,
        '--from-literal=reason=incident 42',
      ]);
      const stopped = await runExperiment(shortWorkerKill(), {
        stack: attached,
        load: new FetchLoad({ model: attached.config.model_name }),
        outDir: join(attached.runDir, 'chaos', 'kill-switch'),
      });
      await cluster?.kubectl(['delete', 'configmap', 'gauntlet-kill-switch', '-n', namespace]);
      expect(stopped.status).toBe('aborted');
      expect(stopped.abort?.message).toBe(
        `kill switch pulled: ConfigMap gauntlet-kill-switch in namespace ${namespace} (incident 42)`,
      );
      expect(stopped.audit).toEqual([]);
    } finally {
      await attached.down();
    }
    // Nothing created, nothing deleted; the killed worker's pod is back and Ready.
    expect(await objects()).toBe(before);
    await cluster?.kubectl([
      'wait',
      '--for=condition=Ready',
      'pods',
      '-n',
      namespace,
      '-l',
      `${runLabel}=${deployed.runId}`,
      '--timeout=120s',
    ]);
    expect(await completion(deployed)).toBe(200);
  }, 600_000);

  it('down removes exactly what the run created: its objects, its etcd folders, its port-forwards', async () => {
    const s = stack as StackHandle;
    const control = (
      await cluster?.kubectl(['get', 'nodes', '-l', 'gauntlet.dev/node=control', '-o', 'name'])
    )
      ?.trim()
      .replace('node/', '');
    // The run's etcd members keep their data on the control node, under a folder of the run's own.
    expect(
      await sh('docker', ['exec', control ?? '', 'ls', `/var/lib/gauntlet-etcd/${namespace}`]),
    ).toContain(s.runId);
    await s.down();
    stack = undefined;
    expect(
      await cluster?.kubectl([
        'get',
        'all,pdb,configmaps,secrets',
        '-n',
        namespace,
        '-l',
        `${runLabel}=${s.runId}`,
        '-o',
        'name',
      ]),
    ).toBe('');
    // The namespace is the operator's: it stays, with its label.
    expect(
      await cluster?.kubectl(['get', 'namespace', namespace, '-o', 'jsonpath={.metadata.labels}']),
    ).toContain('gauntlet.dev/chaos');
    expect(await sh('docker', ['exec', control ?? '', 'ls', '/var/lib'])).not.toContain('gauntlet-etcd');
    expect(await sh('pgrep', ['-f', 'port-forward']).catch(() => '')).toBe('');
  }, 300_000);
});

/** worker-kill, shortened as on kind (5 s windows, an 8 s fault, 20 req/s, latency bound 10 s for the shared host). */
function shortWorkerKill(): Experiment {
  return shortenedExperiment(shippedExperiment('worker-kill'), {
    windowS: 5,
    latencyBoundMs: 10_000,
    rate: 20,
    durationS: 24,
    faultAt: 7,
    faultDurationS: 8,
  });
}

async function expectWorkerKillHeld(stack: StackHandle): Promise<void> {
  // Judged by the run's host-overload rule, as a user's run is (test/support/host-overload-scrapes.ts).
  await using scrapes = scrapeHostOverloads(stack);
  const result = await runExperiment(shortWorkerKill(), {
    stack,
    load: new FetchLoad({ model: stack.config.model_name }),
    outDir: join(stack.runDir, 'chaos', 'worker-kill'),
    hostOverloads: scrapes.hostOverloads,
  });
  const fault = result.faults[0];
  const summary = JSON.stringify({
    status: result.status,
    reasons: result.reasons,
    fault: { ...fault, windows: undefined },
  });
  expect(result.status, summary).toBe('completed');
  expect(fault?.detection, summary).toBe('detected');
  expect(fault?.failedTotal, summary).toBe(0);
  expect(result.audit, summary).toEqual([]);
  expect(result.verdict, summary).not.toBe('fail');
}
