import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startKindCluster } from '../platforms/kind/kind-cluster.js';
import { renderKustomization } from '../platforms/kind/kustomize-render.js';

// Real kind on real Docker. Opt-in: a cold toolchain is a long build, the node image needs
// root (debootstrap, chroot), and the cluster needs a docker engine that runs --privileged containers.
const enabled = process.env.GAUNTLET_KIND_TESTS === '1';
const root = join(import.meta.dirname, '..');

interface SetupModules {
  ensureKindToolchain(o: { root: string; quiet?: boolean }): Promise<{ kubernetesDir: string; kind: string }>;
  ensureKindNodeImage(o: { root: string; quiet?: boolean }): Promise<string>;
  ensurePrivilegedContainers(o: { root: string; quiet?: boolean }): Promise<string>;
}
const load = async (): Promise<SetupModules> => ({
  ...((await import(join(root, 'bin', 'setup', 'kind.js'))) as Pick<SetupModules, 'ensureKindToolchain'>),
  ...((await import(join(root, 'bin', 'setup', 'kind-node-image.js'))) as Pick<
    SetupModules,
    'ensureKindNodeImage'
  >),
  ...((await import(join(root, 'bin', 'setup', 'docker-runtime.js'))) as Pick<
    SetupModules,
    'ensurePrivilegedContainers'
  >),
});
const sh = async (file: string, args: string[]) => (await promisify(execFile)(file, args)).stdout;

describe.skipIf(!enabled)('kind cluster without a registry (GAUNTLET_KIND_TESTS=1)', () => {
  it('creates 1 control plane + 2 labelled workers, accepts the sim overlay (server-side dry run), deletes everything', async () => {
    const setup = await load();
    await setup.ensurePrivilegedContainers({ root });
    const toolchain = await setup.ensureKindToolchain({ root });
    const image = await setup.ensureKindNodeImage({ root });
    const kubectl = join(toolchain.kubernetesDir, 'kubectl');
    const workDir = await mkdtemp(join(tmpdir(), 'gauntlet-kind-'));
    const name = `gauntlet-test-${process.pid}`;
    try {
      {
        await using cluster = await startKindCluster({
          name,
          image,
          kind: toolchain.kind,
          kubectl,
          gauntletNodes: ['node-a', 'node-b'],
          podSubnet: '10.246.0.0/16',
          workDir,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        process.stderr.write(`kind cluster timings (ms): ${JSON.stringify(cluster.timings)}\n`);
        expect(cluster.nodes).toHaveLength(3);
        const labels = await cluster.kubectl([
          'get',
          'nodes',
          '-o',
          'jsonpath={range .items[*]}{.metadata.labels.gauntlet\\.dev/node}{" "}{end}',
        ]);
        expect(labels.trim().split(/\s+/).sort()).toEqual(['node-a', 'node-b']);

        // The namespace first (a dry run does not create it), then every object validated by the API server.
        const objects = await renderKustomization(join(root, 'deploy', 'k8s', 'overlays', 'sim'), {
          kubectl,
        });
        const namespace = objects.filter((o) => o.kind === 'Namespace');
        await cluster.kubectl(
          ['apply', '-f', '-'],
          JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespace }),
        );
        const out = await cluster.kubectl(
          ['apply', '--dry-run=server', '-f', '-'],
          JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
        );
        expect(out.match(/\(server dry run\)/g)).toHaveLength(objects.length);

        // With a stack image at hand (GAUNTLET_KIND_STACK_IMAGE=gauntlet/stack:<tag>), run the stack for real.
        const stackImage = process.env.GAUNTLET_KIND_STACK_IMAGE;
        if (stackImage) {
          await sh(toolchain.kind, ['load', 'docker-image', stackImage, '--name', name]);
          const withImage = JSON.parse(
            JSON.stringify(objects).replaceAll('"gauntlet/stack:dev"', JSON.stringify(stackImage)),
          ) as unknown[];
          await cluster.kubectl(
            ['apply', '-f', '-'],
            JSON.stringify({ apiVersion: 'v1', kind: 'List', items: withImage }),
          );
          const started = Date.now();
          for (const workload of [
            'statefulset/etcd',
            'statefulset/worker-node-a',
            'statefulset/worker-node-b',
            'deployment/batcher',
            'deployment/gateway',
          ]) {
            await cluster.kubectl(['-n', 'gauntlet-sim', 'rollout', 'status', workload, '--timeout=300s']);
          }
          process.stderr.write(`stack rolled out in ${Date.now() - started} ms\n`);
          const placement = await cluster.kubectl([
            '-n',
            'gauntlet-sim',
            'get',
            'pods',
            '-l',
            'app.kubernetes.io/component=worker',
            '-o',
            'jsonpath={range .items[*]}{.metadata.labels.gauntlet\\.dev/node}={.spec.nodeName}{" "}{end}',
          ]);
          for (const pair of placement.trim().split(/\s+/)) {
            const [gauntletNode, kubeNode] = pair.split('=');
            const label = await cluster.kubectl([
              'get',
              'node',
              kubeNode ?? '',
              '-o',
              'jsonpath={.metadata.labels.gauntlet\\.dev/node}',
            ]);
            expect(label, `worker of ${gauntletNode} runs on ${kubeNode}`).toBe(gauntletNode);
          }
          const gatewayIp = await cluster.kubectl([
            '-n',
            'gauntlet-sim',
            'get',
            'pods',
            '-l',
            'app.kubernetes.io/component=gateway',
            '-o',
            'jsonpath={.items[0].status.podIP}',
          ]);
          const ready = await fetch(`http://${gatewayIp}:8080/readyz`, {
            signal: AbortSignal.timeout(5_000),
          });
          expect(ready.status).toBe(200);
        }
      }
      expect(await sh('docker', ['ps', '-aq', '--filter', `label=io.x-k8s.kind.cluster=${name}`])).toBe('');
      expect(await sh('ip', ['route'])).not.toContain('10.246.');
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }, 3_600_000);
});
