import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterConfigSchema, resolveTopology } from '../../core/config/cluster-config.js';
import { type KubeObject, renderKustomization } from '../kind/kustomize-render.js';
import { stackObjectsFor } from '../kind/stack-objects.js';
import { clusterObjectsFor, runLabel } from './cluster-objects.js';

const simOverlay = join(
  fileURLToPath(new URL('../../', import.meta.url)),
  'deploy',
  'k8s',
  'overlays',
  'sim',
);

let objects: KubeObject[] = [];
beforeAll(async () => {
  const stack = stackObjectsFor(await renderKustomization(simOverlay), {
    config: resolveTopology(clusterConfigSchema.parse({})),
    stackImage: 'registry.example/gauntlet/stack:abc',
    adminToken: 'adm',
    apiKey: 'key',
  });
  objects = clusterObjectsFor(stack, { namespace: 'team-chaos', runId: 'r1' });
});

type Pod = {
  containers: Array<{ imagePullPolicy?: string }>;
  volumes?: Array<{ hostPath?: { path: string } }>;
};
const template = (o: KubeObject) =>
  (o as unknown as { spec?: { template?: { metadata: { labels: Record<string, string> }; spec: Pod } } }).spec
    ?.template;

describe('clusterObjectsFor', () => {
  it('creates no namespace and puts everything in the given one, labelled with the run', () => {
    expect(objects.some((o) => o.kind === 'Namespace')).toBe(false);
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('team-chaos');
      expect(o.metadata.labels?.[runLabel]).toBe('r1');
      const pods = template(o);
      if (pods) expect(pods.metadata.labels[runLabel]).toBe('r1');
    }
  });

  it('keeps the gateway internal, pulls images if absent, and gives etcd a host folder per run', () => {
    const gateway = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'gateway') as unknown as {
      spec: { type: string; ports: Array<{ nodePort?: number }> };
    };
    expect(gateway.spec.type).toBe('ClusterIP');
    expect(gateway.spec.ports.every((p) => p.nodePort === undefined)).toBe(true);
    const workloads = objects.filter((o) => template(o) !== undefined);
    for (const o of workloads) {
      for (const c of template(o)?.spec.containers ?? []) expect(c.imagePullPolicy).toBe('IfNotPresent');
    }
    const etcd = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'etcd');
    expect(etcd && template(etcd)?.spec.volumes?.map((v) => v.hostPath?.path)).toEqual([
      '/var/lib/gauntlet-etcd/team-chaos/r1',
    ]);
  });
});
