import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterConfigSchema, resolveTopology } from '../../core/config/cluster-config.js';
import { type KubeObject, renderKustomization } from './kustomize-render.js';
import { pickFreeSubnet } from './pod-subnet.js';
import { gatewayNodePort, stackObjectsFor } from './stack-objects.js';

const simOverlay = join(
  fileURLToPath(new URL('../../', import.meta.url)),
  'deploy',
  'k8s',
  'overlays',
  'sim',
);
const configOf = (yaml: object) => resolveTopology(clusterConfigSchema.parse(yaml));

interface Pod {
  nodeSelector?: Record<string, string>;
  containers: Array<{ image: string; args?: string[]; env?: Array<{ name: string; value?: string }> }>;
}
const podSpec = (o: KubeObject | undefined) =>
  (o as unknown as { spec: { template: { spec: Pod } } }).spec.template.spec;
const named = (objects: KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

let overlay: KubeObject[] = [];
beforeAll(async () => {
  overlay = await renderKustomization(simOverlay);
});

describe('stackObjectsFor', () => {
  const base = { stackImage: 'gauntlet/stack:abc123', adminToken: 'adm-x', apiKey: 'gk-y' };

  it('makes one worker StatefulSet and PDB per configured node, sized to its GPUs', () => {
    const config = configOf({
      nodes: [
        { name: 'gpu-1', gpus: 3 },
        { name: 'gpu-2', gpus: 1 },
        { name: 'gpu-3', gpus: 2 },
      ],
    });
    const objects = stackObjectsFor(overlay, { ...base, config });
    const sets = objects.filter((o) => o.kind === 'StatefulSet' && o.metadata.name.startsWith('worker-'));
    expect(
      sets.map((o) => [o.metadata.name, (o as unknown as { spec: { replicas: number } }).spec.replicas]),
    ).toEqual([
      ['worker-gpu-1', 3],
      ['worker-gpu-2', 1],
      ['worker-gpu-3', 2],
    ]);
    const worker = podSpec(named(objects, 'StatefulSet', 'worker-gpu-2'));
    expect(worker.nodeSelector).toEqual({ 'gauntlet.dev/node': 'gpu-2' });
    const service = worker.containers[0]?.env?.find((e) => e.name === 'GAUNTLET_SERVICE')?.value ?? '';
    expect(service).toContain('"id":"gpu-2-gpu$(GPU_INDEX)"');
    expect(service).toContain('"node":"gpu-2"');
    expect(JSON.stringify(objects)).not.toContain('node-a');
    expect(
      objects.filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name.startsWith('worker-')),
    ).toHaveLength(3);
  });

  it("sets replicas, etcd's size, the image, the run's secrets and config; publishes the gateway", () => {
    const config = configOf({
      etcd: { members: 1 },
      batchers: { replicas: 3 },
      gateway: { replicas: 2 },
      load_balancer: { enabled: true },
    });
    const objects = stackObjectsFor(overlay, { ...base, config });
    const replicas = (kind: string, name: string) =>
      (named(objects, kind, name) as unknown as { spec: { replicas: number } }).spec.replicas;
    expect(replicas('StatefulSet', 'etcd')).toBe(1);
    expect(replicas('StatefulSet', 'batcher')).toBe(3);
    expect(replicas('Deployment', 'gateway')).toBe(2);
    const etcdArgs = podSpec(named(objects, 'StatefulSet', 'etcd')).containers[0]?.args ?? [];
    expect(etcdArgs).toContain('--initial-cluster=etcd-0=http://etcd-0.etcd:2380');
    const gateway = podSpec(named(objects, 'Deployment', 'gateway'));
    expect(gateway.containers[0]?.image).toBe('gauntlet/stack:abc123');
    expect(gateway.containers[0]?.env?.find((e) => e.name === 'GAUNTLET_SERVICE')?.value).toContain(
      '"etcdEndpoints":["http://etcd-0.etcd:2379"]',
    );
    expect(gateway.nodeSelector).toEqual({ 'gauntlet.dev/node': 'control' });
    const service = named(objects, 'Service', 'gateway') as unknown as {
      spec: { type: string; ports: Array<{ nodePort: number }> };
    };
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports[0]?.nodePort).toBe(gatewayNodePort);
    const secret = objects.find((o) => o.kind === 'Secret') as KubeObject & {
      stringData: Record<string, string>;
    };
    expect(secret.stringData).toEqual({ 'admin-token': 'adm-x', 'api-key': 'gk-y' });
    const configMap = objects.find((o) => o.kind === 'ConfigMap') as KubeObject & {
      data: Record<string, string>;
    };
    expect(JSON.parse(configMap.data['config.json'] ?? '{}')).toEqual(JSON.parse(JSON.stringify(config)));
  });
});

describe('pickFreeSubnet', () => {
  it('skips the /16 pod networks the host already routes', () => {
    expect(pickFreeSubnet('default via 10.0.2.2 dev eth0\n10.240.1.0/24 via 172.18.0.3 dev br-1\n')).toBe(
      '10.241.0.0/16',
    );
    expect(pickFreeSubnet('')).toBe('10.240.0.0/16');
  });
});
