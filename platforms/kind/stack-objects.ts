import { etcdMajority } from '../../core/cluster/etcd-quorum.js';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { controlNodeName } from './kind-cluster-config.js';
import type { KubeObject } from './kustomize-render.js';
import { workerPodsPerNode } from './worker-groups.js';

/** The gateway Service's NodePort, which the kind config publishes on 127.0.0.1. */
export const gatewayNodePort = 30080;
/** The port every Gauntlet service listens on inside its pod. */
export const servicePort = 8080;

export interface StackObjectsOptions {
  config: ClusterConfig;
  /** `gauntlet/stack:<content hash>`, already loaded into the nodes. */
  stackImage: string;
  adminToken: string;
  apiKey: string;
  /**
   * How long pods stay bound to a node that stopped reporting (NotReady or unreachable) before the node
   * controller evicts them; Kubernetes' default is 300 s. Unset keeps the default.
   */
  nodeLossTolerationS?: number;
  /** GPUs each worker pod of the overlay holds (its nvidia.com/gpu): a node gets gpus / this many. Default 1. */
  gpusPerWorker?: number;
}

type Json = Record<string, unknown>;

/**
 * An overlay's objects (sim, or the cluster platform's a100) made into this run's stack: one worker
 * StatefulSet and PDB per configured node (cloned from the overlay's first one; one pod per GPU, or per
 * GPU group where a pod holds more: workerPodsPerNode), the replica counts, etcd's size, the run's
 * config, secrets and image, the control components pinned to kind's control-plane node, and the gateway
 * published as a NodePort. Pure: the same input gives the same objects.
 */
export function stackObjectsFor(overlay: readonly KubeObject[], options: StackObjectsOptions): KubeObject[] {
  const { config } = options;
  const isWorker = (o: KubeObject) => o.metadata.labels?.['gauntlet.dev/role'] === 'worker';
  const workerSet = overlay.find((o) => o.kind === 'StatefulSet' && isWorker(o));
  const workerPdb = overlay.find((o) => o.kind === 'PodDisruptionBudget' && isWorker(o));
  if (!workerSet || !workerPdb) throw new Error('the overlay has no worker StatefulSet and PDB to clone');
  const templateNode = workerSet.metadata.labels?.['gauntlet.dev/node'] ?? '';
  const kept = overlay.filter(
    (o) => !((o.kind === 'StatefulSet' || o.kind === 'PodDisruptionBudget') && isWorker(o)),
  );
  const perNode = [...workerPodsPerNode(config, options.gpusPerWorker)].flatMap(([node, workers]) => {
    // The template names its node in its name, labels, selector, nodeSelector and service JSON only.
    const rename = <T>(o: T): T => JSON.parse(JSON.stringify(o).replaceAll(templateNode, node)) as T;
    const set = rename(workerSet);
    (set.spec as Json).replicas = workers;
    return [set, rename(workerPdb)];
  });

  const etcdNames = Array.from({ length: config.etcd.members }, (_, i) => `etcd-${i}`);
  const etcdEndpoints = JSON.stringify(etcdNames.map((n) => `http://${n}.etcd:2379`));
  const initialCluster = etcdNames.map((n) => `${n}=http://${n}.etcd:2380`).join(',');

  return [...kept, ...perNode].map((original) => {
    const o = structuredClone(original) as KubeObject & Json;
    const spec = o.spec as Json | undefined;
    const role = o.metadata.labels?.['gauntlet.dev/role'];
    const podSpec = (spec?.template as { spec?: Json } | undefined)?.spec;
    if (podSpec) {
      for (const container of podSpec.containers as Array<Json & { env?: Json[]; args?: string[] }>) {
        if (String(container.image).startsWith('gauntlet/stack')) container.image = options.stackImage;
        for (const env of container.env ?? []) {
          if (env.name === 'GAUNTLET_SERVICE' && typeof env.value === 'string') {
            env.value = env.value.replace(/"etcdEndpoints":\[[^\]]*\]/, `"etcdEndpoints":${etcdEndpoints}`);
          }
        }
        if (role === 'etcd' && container.args) {
          container.args = container.args.map((a) =>
            a.startsWith('--initial-cluster=') ? `--initial-cluster=${initialCluster}` : a,
          );
        }
      }
      const tolerations: Json[] = [];
      if (role !== 'worker') {
        podSpec.nodeSelector = { 'gauntlet.dev/node': controlNodeName };
        tolerations.push({
          key: 'node-role.kubernetes.io/control-plane',
          operator: 'Exists',
          effect: 'NoSchedule',
        });
      }
      if (options.nodeLossTolerationS !== undefined) {
        for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
          tolerations.push({
            key,
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: options.nodeLossTolerationS,
          });
        }
      }
      // Added to the overlay's own (the a100 overlay's workers tolerate the GPU taint), never instead.
      if (tolerations.length > 0)
        podSpec.tolerations = [...((podSpec.tolerations as Json[]) ?? []), ...tolerations];
    }
    if (o.kind === 'StatefulSet' && role === 'etcd' && spec) spec.replicas = config.etcd.members;
    if (o.kind === 'PodDisruptionBudget' && role === 'etcd' && spec)
      spec.minAvailable = etcdMajority(config.etcd.members);
    if (o.kind === 'StatefulSet' && role === 'batcher' && spec) spec.replicas = config.batchers.replicas;
    if (o.kind === 'HorizontalPodAutoscaler' && role === 'batcher' && spec) {
      spec.minReplicas = config.batchers.replicas;
      spec.maxReplicas = Math.max(config.batchers.replicas, spec.maxReplicas as number);
    }
    if (o.kind === 'Deployment' && role === 'gateway' && spec) spec.replicas = config.gateway.replicas;
    if (o.kind === 'Service' && role === 'gateway' && spec) {
      spec.type = 'NodePort';
      spec.ports = [{ name: 'http', port: servicePort, targetPort: 'http', nodePort: gatewayNodePort }];
    }
    if (o.kind === 'ConfigMap' && o.metadata.name.startsWith('gauntlet-cluster-config')) {
      o.data = { 'config.json': JSON.stringify(config) };
    }
    if (o.kind === 'Secret' && o.metadata.name.startsWith('gauntlet-secrets')) {
      delete o.data;
      o.stringData = { 'admin-token': options.adminToken, 'api-key': options.apiKey };
    }
    return o;
  });
}
