import type { V1Pod } from '@kubernetes/client-node';
import { KindComponent, type PodNodeConditions } from '../kind-component.js';
import { planKindStack, statefulPodName } from '../kind-plan.js';
import { servicePort } from '../stack-objects.js';
import { type ClusterWatch, podReady } from './cluster-watch.js';
import type { KubeStack } from './kube-stack.js';

/**
 * Gives the stack one component per planned one, each bound to its pod as the watch sees it, and waits
 * (on the watch) until every one has a Ready pod with an address. Returns how many there are.
 * `gpusPerWorker`: as the manifests were made with (stackObjectsFor), so the plan has their worker pods.
 */
export async function attachStackPods(
  stack: KubeStack,
  watch: ClusterWatch,
  nodes: PodNodeConditions,
  readyTimeoutMs: number,
  gpusPerWorker = 1,
): Promise<number> {
  const gateways = new PodSlots(watch, (p) => p.metadata?.labels?.['gauntlet.dev/role'] === 'gateway');
  const planned = planKindStack(stack.config, gpusPerWorker).components;
  stack.add(
    planned.map((component) => {
      const podName = statefulPodName(component);
      return new KindComponent(
        {
          role: component.role,
          id: component.id,
          node: component.node,
          port: component.role === 'etcd' ? 2379 : servicePort,
          pod: podName ? () => watch.pod(podName) : () => gateways.podOf(component.id),
        },
        watch,
        nodes,
        readyTimeoutMs,
      );
    }),
  );
  await watch.until(`all ${planned.length} stack pods Ready`, readyTimeoutMs, () => {
    const ready = stack.components().filter((c) => c.url !== undefined && podReady(podOf(watch, c.instance)));
    return ready.length === planned.length ? true : undefined;
  });
  return planned.length;
}

function podOf(watch: ClusterWatch, instance: KindComponent['instance']): V1Pod | undefined {
  return instance?.kind === 'pod' ? watch.pod(instance.pod) : undefined;
}

/**
 * Pods of a Deployment (gateways) have made-up names and a replacement gets a new one. Each logical id
 * keeps its pod while it exists, and takes the oldest unclaimed matching one after that.
 */
export class PodSlots {
  private readonly bound = new Map<string, string>();

  constructor(
    private readonly watch: ClusterWatch,
    private readonly matches: (pod: V1Pod) => boolean,
  ) {}

  podOf(id: string): V1Pod | undefined {
    const current = this.bound.get(id);
    const pod = current ? this.watch.pod(current) : undefined;
    if (pod && !pod.metadata?.deletionTimestamp) return pod;
    const claimed = new Set(
      [...this.bound.entries()].filter(([slot]) => slot !== id).map(([, name]) => name),
    );
    const free = this.watch
      .pods()
      .filter(
        (p) => this.matches(p) && !p.metadata?.deletionTimestamp && !claimed.has(p.metadata?.name ?? ''),
      )
      .sort((a, b) => time(a) - time(b))[0];
    if (!free?.metadata?.name) return pod;
    this.bound.set(id, free.metadata.name);
    return free;
  }
}

const time = (pod: V1Pod) => new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
