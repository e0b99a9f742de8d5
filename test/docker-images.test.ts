import '../platforms/docker/stack/testcontainers-env.js';
import { randomBytes } from 'node:crypto';
import { getContainerRuntimeClient, StartedNetwork } from 'testcontainers';
import { afterAll, describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import { projectRoot } from '../core/project-root.js';
import { docker } from '../platforms/docker/docker-cli.js';
import { inputsLabel } from '../platforms/docker/images/ensure-image.js';
import { ensureImages } from '../platforms/docker/images/ensure-images.js';
import { leftByLabel, removeByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { planContainers } from '../platforms/docker/stack/container-plan.js';
import { GauntletContainer } from '../platforms/docker/stack/gauntlet-container.js';
import { runLabels } from '../platforms/docker/stack/labels.js';
import { dockerSkipReason } from './support/docker-engine.js';

// Builds the images from this machine's binaries (no registry) and runs the stack image's worker role
// against the etcd image, on a network of the test's own; needs `npm run build` (dist/) and a Docker engine.
const skip = await dockerSkipReason();
const runId = `test-${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  if (skip) return;
  await removeByLabel(runId);
  expect(await leftByLabel(runId)).toEqual([]);
}, 60_000);

describe.skipIf(skip !== undefined)(`docker images${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let tags: { stack: string; etcd: string };

  it('builds stack and etcd from rootfs, then finds them cached', async () => {
    const first = await ensureImages({ root: projectRoot(), names: ['stack', 'etcd'], source: 'rootfs' });
    tags = { stack: first.stack?.tag ?? '', etcd: first.etcd?.tag ?? '' };
    expect(tags.stack).toMatch(/^gauntlet\/stack:[0-9a-f]{16}$/);
    const again = await ensureImages({ root: projectRoot(), names: ['stack', 'etcd'], source: 'rootfs' });
    expect(again.stack).toMatchObject({ tag: tags.stack, built: false });
    expect(again.etcd).toMatchObject({ tag: tags.etcd, built: false });
    // The tag is the start of the inputs hash the image carries as a label.
    const label = (
      await docker(['image', 'inspect', '--format', `{{index .Config.Labels "${inputsLabel}"}}`, tags.stack])
    ).trim();
    expect(label.startsWith(tags.stack.split(':')[1] ?? '-')).toBe(true);
  }, 300_000);

  it('runs the worker role: it registers in etcd and answers /readyz on a port published on 127.0.0.1', async () => {
    const config = parseClusterConfig('etcd:\n  members: 1\nnodes:\n  - name: node-a\n    gpus: 1\n');
    const specs = planContainers({
      config,
      runId,
      images: tags,
      apiKey: 'gk-test-key-0123',
      adminToken: 'adm-test',
      machineCpus: 2,
    });
    const etcdSpec = specs.find((s) => s.role === 'etcd');
    const workerSpec = specs.find((s) => s.role === 'worker');
    if (!etcdSpec || !workerSpec) throw new Error('plan has no etcd or worker');
    const client = await getContainerRuntimeClient();
    const name = `gauntlet-${runId}`;
    const network = new StartedNetwork(
      client,
      name,
      await client.network.create({ Name: name, Driver: 'bridge', Labels: runLabels(runId) }),
    );
    await new GauntletContainer(etcdSpec, network, 30_000).start();
    const worker = await new GauntletContainer({ ...workerSpec, publish: true }, network, 30_000).start();
    const port = worker.getMappedPort(workerSpec.port);
    const bindings = (await docker(['port', worker.getId(), `${workerSpec.port}/tcp`])).trim();
    expect(bindings).toBe(`127.0.0.1:${port}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
  }, 120_000);

  it('builds toxiproxy and nginx from this machine and runs them', async () => {
    const built = await ensureImages({
      root: projectRoot(),
      names: ['toxiproxy', 'nginx'],
      source: 'rootfs',
    });
    const client = await getContainerRuntimeClient();
    const network = new StartedNetwork(
      client,
      `gauntlet-${runId}`,
      client.network.getById(`gauntlet-${runId}`),
    );
    const base = { node: 'control', env: {}, publish: true, limits: {}, readyLog: '' };
    const toxiproxy = await new GauntletContainer(
      {
        ...base,
        role: 'etcd',
        id: 'toxiproxy',
        name: `gauntlet-${runId}-toxiproxy`,
        alias: 'toxiproxy',
        image: built.toxiproxy?.tag ?? '',
        command: ['-host=0.0.0.0', '-port=8474'],
        labels: runLabels(runId),
        port: 8474,
        readyHttpPath: '/version',
      },
      network,
      30_000,
    ).start();
    const version = await fetch(`http://127.0.0.1:${toxiproxy.getMappedPort(8474)}/version`);
    // `go install` builds report "git" as their version; the answer's shape is what proves the server runs.
    expect(await version.json()).toHaveProperty('version');
    const nginx = await new GauntletContainer(
      {
        ...base,
        role: 'gateway',
        id: 'nginx',
        name: `gauntlet-${runId}-nginx`,
        alias: 'nginx',
        image: built.nginx?.tag ?? '',
        command: [],
        labels: runLabels(runId),
        port: 8080,
        readyHttpPath: '/healthz',
      },
      network,
      30_000,
    ).start();
    const health = await fetch(`http://127.0.0.1:${nginx.getMappedPort(8080)}/healthz`);
    expect(await health.text()).toBe('ok\n');
  }, 300_000);
});
