import { existsSync, readFileSync } from 'node:fs';
import {
  CoreV1Api,
  type Informer,
  type KubeConfig,
  makeInformer,
  type ObjectCache,
  type V1ConfigMap,
} from '@kubernetes/client-node';

/** The ConfigMap whose existence in the namespace pulls the kill switch. */
export const killSwitchConfigMap = 'gauntlet-kill-switch';

/**
 * The operator's kill switch for experiments on a cluster: a ConfigMap `gauntlet-kill-switch` in the
 * namespace (`kubectl create configmap gauntlet-kill-switch --from-literal=reason=...`), seen through a
 * watch, or a local file (`$GAUNTLET_HOME/kill-switch`). Chaos checks it every tick; pulled, the
 * experiment aborts, stops its load and rolls every fault back.
 */
export class KillSwitch {
  private constructor(
    private readonly informer: Informer<V1ConfigMap> & ObjectCache<V1ConfigMap>,
    private readonly namespace: string,
    private readonly file: string,
  ) {}

  static async start(kubeConfig: KubeConfig, namespace: string, file: string): Promise<KillSwitch> {
    const api = kubeConfig.makeApiClient(CoreV1Api);
    const informer = makeInformer(kubeConfig, `/api/v1/namespaces/${namespace}/configmaps`, () =>
      api.listNamespacedConfigMap({ namespace }),
    );
    // A watch error leaves the last list in the cache; the informer is started again, as ClusterWatch does.
    informer.on('error', () => {
      setTimeout(() => informer.start().catch(() => {}), 1_000).unref();
    });
    await informer.start();
    return new KillSwitch(informer, namespace, file);
  }

  /** Why the switch is pulled, or undefined. */
  pulled(): string | undefined {
    const map = this.informer.get(killSwitchConfigMap, this.namespace);
    if (map && !map.metadata?.deletionTimestamp) {
      const reason = map.data?.reason;
      return `ConfigMap ${killSwitchConfigMap} in namespace ${this.namespace}${reason ? ` (${reason})` : ''}`;
    }
    if (existsSync(this.file)) {
      const reason = readFileSync(this.file, 'utf8').trim().split('\n')[0];
      return `file ${this.file}${reason ? ` (${reason})` : ''}`;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    await this.informer.stop();
  }
}
