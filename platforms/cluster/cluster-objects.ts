import type { KubeObject } from '../kind/kustomize-render.js';
import { servicePort } from '../kind/stack-objects.js';

/** Every object (and pod) a cluster run creates carries this label with its run id: teardown deletes by it. */
export const runLabel = 'gauntlet.dev/run';

/** The host folder under which etcd members keep their data, one sub-folder per run and member. */
export const etcdHostRoot = '/var/lib/gauntlet-etcd';

export interface ClusterObjectsOptions {
  namespace: string;
  runId: string;
}

type Json = Record<string, unknown>;

/**
 * The run's stack objects (stackObjectsFor) made fit for a cluster Gauntlet does not own: no Namespace
 * object (the operator creates and opts in the namespace), everything in that namespace and labelled with
 * the run, the gateway Service internal (reached through a port-forward, never a NodePort opened on the
 * cluster's nodes), images pulled if absent rather than never, and etcd's host folder one per run, so a
 * later run on the same node never finds an earlier run's members. Pure.
 */
export function clusterObjectsFor(
  objects: readonly KubeObject[],
  options: ClusterObjectsOptions,
): KubeObject[] {
  const etcdPath = `${etcdHostRoot}/${options.namespace}/${options.runId}`;
  return objects
    .filter((o) => o.kind !== 'Namespace')
    .map((original) => {
      const o = structuredClone(original) as KubeObject & Json;
      o.metadata.namespace = options.namespace;
      o.metadata.labels = { ...o.metadata.labels, [runLabel]: options.runId };
      const spec = o.spec as Json | undefined;
      const template = spec?.template as
        | { metadata?: { labels?: Record<string, string> }; spec?: Json }
        | undefined;
      if (template) {
        template.metadata = {
          ...template.metadata,
          labels: { ...template.metadata?.labels, [runLabel]: options.runId },
        };
        const podSpec = template.spec;
        for (const container of (podSpec?.containers ?? []) as Json[])
          container.imagePullPolicy = 'IfNotPresent';
        for (const volume of (podSpec?.volumes ?? []) as Array<{ hostPath?: { path: string } }>) {
          if (volume.hostPath?.path === etcdHostRoot) volume.hostPath.path = etcdPath;
        }
      }
      if (o.kind === 'Service' && o.metadata.labels['gauntlet.dev/role'] === 'gateway' && spec) {
        spec.type = 'ClusterIP';
        spec.ports = [{ name: 'http', port: servicePort, targetPort: 'http' }];
      }
      return o;
    });
}
