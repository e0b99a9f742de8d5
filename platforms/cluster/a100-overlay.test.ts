import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterConfigSchema, resolveTopology } from '../../core/config/cluster-config.js';
import { planKindStack } from '../kind/kind-plan.js';
import { type KubeObject, renderKustomization } from '../kind/kustomize-render.js';
import { stackObjectsFor } from '../kind/stack-objects.js';
import { clusterObjectsFor } from './cluster-objects.js';
import { findKubectl } from './find-kubectl.js';
import { overlayHasSecret } from './operator-secret.js';
import { stackOverlayDir, stackOverlays } from './stack-overlays.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The kubectl the cluster platform renders with (setup's build, else the one on PATH); none: skipped, saying so.
const kubectl = await findKubectl(root).catch(() => undefined);
const skip = kubectl ? undefined : 'no kubectl (npm run setup builds one, or put one on PATH)';

interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string } } }>;
  resources?: {
    requests?: Record<string, string | number>;
    limits?: Record<string, string | number>;
  };
}
interface PodSpec {
  containers: Container[];
  nodeSelector?: Record<string, string>;
  tolerations?: Array<Record<string, unknown>>;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms: Array<{
          matchExpressions: Array<{ key: string; operator: string; values: string[] }>;
        }>;
      };
    };
  };
}
interface Workload extends KubeObject {
  spec: { replicas: number; template: { spec: PodSpec } };
}

const workloads = (objects: KubeObject[]) =>
  objects.filter((o): o is Workload => o.kind === 'StatefulSet' || o.kind === 'Deployment');
const workers = (objects: KubeObject[]) =>
  workloads(objects).filter((o) => o.metadata.labels?.['gauntlet.dev/role'] === 'worker');
const gpusOf = (w: Workload) =>
  w.spec.template.spec.containers.reduce(
    (sum, c) => sum + Number(c.resources?.limits?.['nvidia.com/gpu'] ?? 0),
    0,
  );
const a100Products = [
  'NVIDIA-A100-SXM4-80GB',
  'NVIDIA-A100-80GB-PCIe',
  'NVIDIA-A100-SXM4-40GB',
  'NVIDIA-A100-PCIE-40GB',
];
const configOf = (yaml: object) => resolveTopology(clusterConfigSchema.parse(yaml));

describe.skipIf(skip !== undefined)(
  `deploy/k8s/overlays/a100 (rendered with kubectl kustomize)${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let objects: KubeObject[] = [];
    beforeAll(async () => {
      objects = await renderKustomization(stackOverlayDir(root, 'a100'), { kubectl });
    });

    it('gives every worker pod 2 GPUs, requested and limited alike, as the platform plans', () => {
      const sets = workers(objects);
      expect(sets.map((s) => s.metadata.name).sort()).toEqual(['worker-node-a', 'worker-node-b']);
      for (const set of sets) {
        const worker = set.spec.template.spec.containers.find((c) => c.name === 'worker');
        expect(worker?.resources?.requests?.['nvidia.com/gpu'], set.metadata.name).toBe(2);
        expect(worker?.resources?.limits?.['nvidia.com/gpu'], set.metadata.name).toBe(2);
        expect(gpusOf(set), 'stack-overlays.ts says the same').toBe(stackOverlays.a100.gpusPerWorker);
        // the default topology's 2-GPU nodes: one TP2 group each
        expect(set.spec.replicas).toBe(1);
      }
    });

    it('keeps workers on A100 nodes, tolerating the GPU taint, on their Gauntlet node', () => {
      for (const set of workers(objects)) {
        const pod = set.spec.template.spec;
        const terms =
          pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
        expect(terms).toEqual([
          { matchExpressions: [{ key: 'nvidia.com/gpu.product', operator: 'In', values: a100Products }] },
        ]);
        expect(pod.tolerations).toEqual([
          { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        ]);
        expect(pod.nodeSelector).toEqual({ 'gauntlet.dev/node': set.metadata.labels?.['gauntlet.dev/node'] });
      }
      // only the workers may land on a GPU node
      for (const other of workloads(objects).filter((o) => !workers(objects).includes(o))) {
        expect(other.spec.template.spec.tolerations, other.metadata.name).toBeUndefined();
        expect(JSON.stringify(other.spec.template.spec)).not.toContain('nvidia.com/gpu');
      }
    });

    it('bounds every container with CPU and memory requests and limits, and pulls images if absent', () => {
      const containers = workloads(objects).flatMap((o) =>
        o.spec.template.spec.containers.map((c) => [o.metadata.name, c] as const),
      );
      expect(containers.map(([, c]) => c.name).sort()).toEqual([
        'batcher',
        'etcd',
        'gateway',
        'worker',
        'worker',
      ]);
      for (const [owner, c] of containers) {
        for (const bound of ['requests', 'limits'] as const) {
          expect(c.resources?.[bound]?.cpu, `${owner} ${bound}.cpu`).toBeDefined();
          expect(c.resources?.[bound]?.memory, `${owner} ${bound}.memory`).toBeDefined();
        }
        expect(c.imagePullPolicy, owner).toBe('IfNotPresent');
      }
      const etcd = containers.find(([, c]) => c.name === 'etcd')?.[1];
      expect(etcd?.image).toBe('registry.k8s.io/etcd:3.6.5-0');
    });

    it("creates no Namespace and no Secret: the pods read the operator's gauntlet-secrets", () => {
      expect(objects.filter((o) => o.kind === 'Namespace' || o.kind === 'Secret')).toEqual([]);
      expect(overlayHasSecret(objects)).toBe(false);
      const refs = workloads(objects).flatMap((o) =>
        o.spec.template.spec.containers.flatMap((c) =>
          (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [])),
        ),
      );
      expect(new Set(refs)).toEqual(new Set(['gauntlet-secrets']));
      for (const o of objects) {
        expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBeUndefined();
        expect(o.metadata.labels?.['app.kubernetes.io/instance']).toBe('a100');
      }
    });

    it('becomes a run: one worker pod per GPU pair of each node, the same the plan expects', () => {
      const config = configOf({
        nodes: [
          { name: 'dgx-1', gpus: 8 },
          { name: 'pcie-1', gpus: 2 },
        ],
        worker: { tensor_parallel: 2 },
      });
      const gpusPerWorker = stackOverlays.a100.gpusPerWorker;
      const run = clusterObjectsFor(
        stackObjectsFor(objects, {
          config,
          stackImage: 'registry.example/gauntlet/stack:abc',
          adminToken: 'adm',
          apiKey: 'key',
          gpusPerWorker,
          nodeLossTolerationS: 30,
        }),
        { namespace: 'gpu-team', runId: 'r1' },
      );
      const sets = workers(run);
      expect(sets.map((s) => [s.metadata.name, s.spec.replicas, gpusOf(s)])).toEqual([
        ['worker-dgx-1', 4, 2],
        ['worker-pcie-1', 1, 2],
      ]);
      const planned = planKindStack(config, gpusPerWorker).components.filter((c) => c.role === 'worker');
      expect(planned.map((c) => c.id)).toEqual([
        'dgx-1-gpu0',
        'dgx-1-gpu1',
        'dgx-1-gpu2',
        'dgx-1-gpu3',
        'pcie-1-gpu0',
      ]);
      // the platform's own tolerations come on top of the GPU taint's, never instead
      expect(sets[0]?.spec.template.spec.tolerations?.map((t) => t.key)).toEqual([
        'nvidia.com/gpu',
        'node.kubernetes.io/not-ready',
        'node.kubernetes.io/unreachable',
      ]);
      expect(run.some((o) => o.kind === 'Secret')).toBe(false);
    });

    it('refuses a config whose workers are not tensor-parallel 2', () => {
      expect(() =>
        stackObjectsFor(objects, {
          config: configOf({}),
          stackImage: 'x',
          adminToken: 'a',
          apiKey: 'k',
          gpusPerWorker: stackOverlays.a100.gpusPerWorker,
        }),
      ).toThrow('set worker.tensor_parallel: 2 in the config');
    });
  },
);

describe.skipIf(skip !== undefined)(
  `deploy/k8s/overlays/sim, as the cluster platform sees it${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('holds one GPU per worker pod (no nvidia.com/gpu: a simulated GPU) and its own Secret', async () => {
      const objects = await renderKustomization(stackOverlayDir(root, 'sim'), { kubectl });
      for (const set of workers(objects)) expect(gpusOf(set)).toBe(0);
      expect(stackOverlays.sim.gpusPerWorker).toBe(1);
      expect(overlayHasSecret(objects)).toBe(true);
    });
  },
);
