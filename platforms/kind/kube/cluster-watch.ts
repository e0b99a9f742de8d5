import {
  CoreV1Api,
  type Informer,
  KubeConfig,
  makeInformer,
  type ObjectCache,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { PlatformEvent } from '../../../core/platform/platform.js';

type Watched<T extends { metadata?: object }> = Informer<T> & ObjectCache<T>;

/** Re-list and re-watch this long after a watch failed (the API server restarting, a frozen node's relay). */
const REWATCH_DELAY_MS = 1_000;

/**
 * The cluster as the API server reports it, kept current by client-node informers (a list, then a watch)
 * on the run's pods and on the nodes. Every wait on the stack is a condition over this cache, evaluated
 * again on each watch event: no polling loop and no sleep.
 */
export class ClusterWatch implements AsyncDisposable {
  readonly api: CoreV1Api;
  private readonly podInformer: Watched<V1Pod>;
  private readonly nodeInformer: Watched<V1Node>;
  private readonly listeners = new Set<() => void>();
  /** Every change of a pod's or node's existence and readiness, as the watch delivered it. */
  readonly events: PlatformEvent[] = [];
  private readonly lastSeen = new Map<string, PlatformEvent['change']>();
  private stopped = false;
  private lastError = '';

  private constructor(
    readonly kubeConfig: KubeConfig,
    readonly namespace: string,
  ) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
    this.podInformer = makeInformer(kubeConfig, `/api/v1/namespaces/${namespace}/pods`, () =>
      this.api.listNamespacedPod({ namespace }),
    );
    this.nodeInformer = makeInformer(kubeConfig, '/api/v1/nodes', () => this.api.listNode());
    const record = (kind: 'pod' | 'node', verb: 'add' | 'update' | 'delete', object: V1Pod | V1Node) => {
      const subject = `${kind} ${object.metadata?.name ?? '?'}`;
      const ready = kind === 'pod' ? podReady(object as V1Pod) : nodeReady(object as V1Node);
      const change: PlatformEvent['change'] =
        verb === 'delete' ? 'deleted' : ready ? 'ready' : verb === 'add' ? 'created' : 'not-ready';
      const previous = this.lastSeen.get(subject);
      if (previous === change || (previous === undefined && change === 'not-ready')) return;
      this.lastSeen.set(subject, change);
      this.events.push({ t: Date.now(), subject, change });
    };
    for (const [kind, informer] of [
      ['pod', this.podInformer],
      ['node', this.nodeInformer],
    ] as Array<['pod' | 'node', Informer<V1Pod | V1Node>]>) {
      for (const verb of ['add', 'update', 'delete'] as const)
        informer.on(verb, (object) => {
          record(kind, verb, object);
          this.changed();
        });
      informer.on('error', (error: unknown) => {
        this.lastError = error instanceof Error ? error.message : String(error);
        if (this.stopped) return;
        setTimeout(() => {
          if (!this.stopped) informer.start().catch(() => {});
        }, REWATCH_DELAY_MS).unref();
      });
    }
  }

  /** Starts both informers (on `context`, else the file's current one); resolves once their first lists are in the cache. */
  static async start(kubeconfigFile: string, namespace: string, context?: string): Promise<ClusterWatch> {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigFile);
    if (context !== undefined) kubeConfig.setCurrentContext(context);
    const watch = new ClusterWatch(kubeConfig, namespace);
    await Promise.all([watch.podInformer.start(), watch.nodeInformer.start()]);
    return watch;
  }

  pods(): readonly V1Pod[] {
    return this.podInformer.list();
  }

  pod(name: string): V1Pod | undefined {
    return this.podInformer.get(name, this.namespace);
  }

  nodes(): readonly V1Node[] {
    return this.nodeInformer.list();
  }

  /** The kube node labelled `gauntlet.dev/node=<gauntletNode>`. */
  nodeOf(gauntletNode: string): V1Node | undefined {
    return this.nodes().find((n) => n.metadata?.labels?.['gauntlet.dev/node'] === gauntletNode);
  }

  /**
   * Resolves with the first value `probe` returns (not undefined), checking now and after every watch
   * event; rejects after timeoutMs naming what was awaited and what the probe last said.
   */
  until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (outcome: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.listeners.delete(check);
        outcome();
      };
      const check = () => {
        try {
          const value = probe();
          if (value !== undefined) finish(() => resolve(value));
        } catch (error) {
          finish(() => reject(error));
        }
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new Error(
                `timed out after ${timeoutMs} ms waiting for ${what}${this.lastError ? ` (last watch error: ${this.lastError})` : ''}`,
              ),
            ),
          ),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.listeners.clear();
    await Promise.allSettled([this.podInformer.stop(), this.nodeInformer.stop()]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Ready, not being deleted. */
export function podReady(pod: V1Pod | undefined): boolean {
  if (!pod || pod.metadata?.deletionTimestamp) return false;
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function nodeReady(node: V1Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
