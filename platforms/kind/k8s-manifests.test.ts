import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterConfigSchema, resolveTopology } from '../../core/config/cluster-config.js';
import type { ServiceEnv } from '../../stack/runtime/service-env.js';
import { type KubeObject, parseObjects, renderKustomization } from './kustomize-render.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const simOverlay = join(repoRoot, 'deploy', 'k8s', 'overlays', 'sim');
const defaults = resolveTopology(clusterConfigSchema.parse({}));

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  args?: string[];
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: { cpu?: string } };
}
interface PodSpec {
  containers: Container[];
  nodeSelector?: Record<string, string>;
  terminationGracePeriodSeconds?: number;
}
interface Workload extends KubeObject {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}

let objects: KubeObject[] = [];
const find = (kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name.startsWith(name));
  if (!found) throw new Error(`no ${kind} ${name} in the rendered overlay`);
  return found;
};
const workload = (kind: string, name: string) => find(kind, name) as Workload;
const container = (kind: string, name: string) => {
  const c = workload(kind, name).spec.template.spec.containers[0];
  if (!c) throw new Error(`${kind} ${name} has no container`);
  return c;
};

/**
 * What the kubelet does with `$(VAR)` in an env value: replaced by an earlier variable of the list,
 * left as it is when there is none. Values for fieldRef/secret/configMap variables come from `given`.
 */
function expandEnv(env: EnvVar[], given: Record<string, string>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const variable of env) {
    if (variable.value !== undefined) {
      resolved[variable.name] = variable.value.replace(
        /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
        (whole, name: string) => (name in resolved ? (resolved[name] as string) : whole),
      );
    } else {
      const value = given[variable.name];
      if (value === undefined) throw new Error(`test gives no value for ${variable.name}`);
      resolved[variable.name] = value;
    }
  }
  return resolved;
}

const podValues = async () => ({
  POD_NAME: 'pod-0',
  POD_IP: '10.244.1.7',
  GPU_INDEX: '1',
  ADMIN_TOKEN: 'sim-admin-token',
  API_KEY: 'sim-api-key',
  CLUSTER_CONFIG: await readFile(join(repoRoot, 'deploy', 'k8s', 'base', 'cluster-config.json'), 'utf8'),
});

const serviceEnv = async (kind: string, name: string): Promise<ServiceEnv> => {
  const env = container(kind, name).env ?? [];
  const raw = expandEnv(env, await podValues()).GAUNTLET_SERVICE;
  if (raw === undefined) throw new Error(`${name} sets no GAUNTLET_SERVICE`);
  expect(raw, 'every $(VAR) is defined before GAUNTLET_SERVICE').not.toMatch(/\$\(/);
  return JSON.parse(raw) as ServiceEnv;
};

describe('deploy/k8s/overlays/sim (rendered with kubectl kustomize)', () => {
  beforeAll(async () => {
    objects = await renderKustomization(simOverlay);
  });

  it('has the stack: 3-member etcd, gateway, batchers, one worker StatefulSet per default node', () => {
    const names = objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort();
    expect(names).toEqual(
      [
        'ConfigMap/gauntlet-cluster-config',
        'StatefulSet/batcher',
        'Deployment/gateway',
        'HorizontalPodAutoscaler/batcher',
        'Namespace/gauntlet-sim',
        'PodDisruptionBudget/batcher',
        'PodDisruptionBudget/etcd',
        'PodDisruptionBudget/gateway',
        'PodDisruptionBudget/worker-node-a',
        'PodDisruptionBudget/worker-node-b',
        'Secret/gauntlet-secrets',
        'Service/batcher',
        'Service/etcd',
        'Service/gateway',
        'Service/worker',
        'StatefulSet/etcd',
        'StatefulSet/worker-node-a',
        'StatefulSet/worker-node-b',
      ].sort(),
    );
    expect(workload('StatefulSet', 'etcd').spec.replicas).toBe(3);
    for (const node of defaults.nodes) {
      const workers = workload('StatefulSet', `worker-${node.name}`);
      expect(workers.spec.replicas, `one worker per GPU of ${node.name}`).toBe(node.gpus);
      expect(workers.spec.template.spec.nodeSelector).toEqual({ 'gauntlet.dev/node': node.name });
    }
  });

  it('puts everything in the sim namespace and labels it for Kubernetes and for Gauntlet', () => {
    for (const o of objects) {
      if (o.kind !== 'Namespace')
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('gauntlet-sim');
      expect(o.metadata.labels?.['app.kubernetes.io/part-of'], `${o.kind}/${o.metadata.name}`).toBe(
        'gauntlet',
      );
      expect(o.metadata.labels?.['app.kubernetes.io/instance']).toBe('sim');
    }
    for (const [kind, name, role] of [
      ['StatefulSet', 'etcd', 'etcd'],
      ['Deployment', 'gateway', 'gateway'],
      ['StatefulSet', 'batcher', 'batcher'],
      ['StatefulSet', 'worker-node-a', 'worker'],
    ] as const) {
      const labels = workload(kind, name).spec.template.metadata.labels;
      expect(labels['gauntlet.dev/role']).toBe(role);
      expect(labels['app.kubernetes.io/component']).toBe(role);
      expect(labels['app.kubernetes.io/name']).toBeDefined();
    }
    expect(workload('StatefulSet', 'worker-node-b').spec.template.metadata.labels['gauntlet.dev/node']).toBe(
      'node-b',
    );
  });

  it('runs only images loaded into the nodes, never pulling', () => {
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
      for (const c of (o as Workload).spec.template.spec.containers) {
        expect(c.imagePullPolicy, `${o.metadata.name}`).toBe('Never');
        expect(c.image).toMatch(/^(gauntlet\/stack:dev|registry\.k8s\.io\/etcd:[0-9.]+-0)$/);
      }
    }
    expect(container('Deployment', 'gateway').args).toEqual(['gateway']);
    expect(container('StatefulSet', 'batcher').args).toEqual(['batcher']);
    expect(container('StatefulSet', 'worker-node-a').args).toEqual(['worker']);
  });

  it('probes /readyz for readiness and /healthz (etcd: /livez) for liveness', () => {
    for (const [kind, name] of [
      ['Deployment', 'gateway'],
      ['StatefulSet', 'batcher'],
      ['StatefulSet', 'worker-node-a'],
      ['StatefulSet', 'worker-node-b'],
    ] as const) {
      const c = container(kind, name);
      expect(c.readinessProbe?.httpGet?.path, name).toBe('/readyz');
      expect(c.livenessProbe?.httpGet?.path, name).toBe('/healthz');
    }
    const etcd = container('StatefulSet', 'etcd');
    expect(etcd.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(etcd.livenessProbe?.httpGet?.path).toBe('/livez');
  });

  it('gives each service at least its own drain time before SIGKILL', () => {
    const grace = (kind: string, name: string) =>
      workload(kind, name).spec.template.spec.terminationGracePeriodSeconds ?? 30;
    // stack/gateway/main.ts drains for 10 s
    expect(grace('Deployment', 'gateway')).toBeGreaterThan(10);
    // stack/batcher: 2 s + drain limit 120 s + 3 s + 1 s
    expect(grace('StatefulSet', 'batcher')).toBeGreaterThan(126);
    // stack/worker/main.ts drains for the gateway's request timeout
    expect(grace('StatefulSet', 'worker-node-a')).toBeGreaterThan(defaults.gateway.request_timeout_ms / 1000);
  });

  it('hands every service a GAUNTLET_SERVICE that advertises its pod IP and carries the default config', async () => {
    const worker = await serviceEnv('StatefulSet', 'worker-node-b');
    expect(worker).toMatchObject({
      role: 'worker',
      // the id every platform uses, so registry entries match the harness's component ids
      id: 'node-b-gpu1',
      node: 'node-b',
      gpuIndex: 1,
      host: '0.0.0.0',
      port: 8080,
      advertiseUrl: 'http://10.244.1.7:8080',
      adminToken: 'sim-admin-token',
    });
    expect(worker.config).toEqual(JSON.parse(JSON.stringify(defaults)));
    expect(worker.etcdEndpoints).toHaveLength(3);
    const batcher = await serviceEnv('StatefulSet', 'batcher');
    expect(batcher).toMatchObject({ role: 'batcher', advertiseUrl: 'http://10.244.1.7:8080' });
    const gateway = await serviceEnv('Deployment', 'gateway');
    expect(gateway).toMatchObject({ role: 'gateway', apiKeys: ['sim-api-key'] });
  });

  it('autoscales the batchers as the seed does (2..10 at 50 % CPU) and protects every component', () => {
    const hpa = find('HorizontalPodAutoscaler', 'batcher') as KubeObject & {
      spec: {
        scaleTargetRef: { kind: string; name: string };
        minReplicas: number;
        maxReplicas: number;
        metrics: Array<{ resource: { name: string; target: { averageUtilization: number } } }>;
      };
    };
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'StatefulSet', name: 'batcher' });
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 10]);
    expect(hpa.spec.metrics[0]?.resource).toMatchObject({ name: 'cpu', target: { averageUtilization: 50 } });
    expect(
      container('StatefulSet', 'batcher').resources?.requests?.cpu,
      'utilization needs a request',
    ).toBeDefined();
    const etcdBudget = find('PodDisruptionBudget', 'etcd') as KubeObject & { spec: { minAvailable: number } };
    expect(etcdBudget.spec.minAvailable, 'quorum of 3').toBe(2);
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
      const selector = (o as Workload).spec.selector.matchLabels;
      const budget = objects.find(
        (b) =>
          b.kind === 'PodDisruptionBudget' &&
          JSON.stringify((b as unknown as Workload).spec.selector.matchLabels) === JSON.stringify(selector),
      );
      expect(budget, `a PodDisruptionBudget for ${o.metadata.name}`).toBeDefined();
    }
  });
});

describe('base cluster-config.json', () => {
  it('equals the built-in defaults (regenerate it when the defaults change)', async () => {
    const file = JSON.parse(
      await readFile(join(repoRoot, 'deploy', 'k8s', 'base', 'cluster-config.json'), 'utf8'),
    );
    expect(file).toEqual(JSON.parse(JSON.stringify(defaults)));
  });
});

describe('parseObjects', () => {
  it('names the source and document of something that is not a Kubernetes object', () => {
    expect(() => parseObjects('apiVersion: v1\nkind: X\nmetadata: {name: a}\n---\nfoo: 1\n', 'sim')).toThrow(
      'sim: document 2 is not a Kubernetes object',
    );
    expect(parseObjects('---\napiVersion: v1\nkind: X\nmetadata: {name: a}\n', 'sim')).toHaveLength(1);
  });
});
