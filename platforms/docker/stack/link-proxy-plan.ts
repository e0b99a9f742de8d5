import type { LinkName } from '../../../core/network/links.js';
import type { ComponentInfo } from '../../../core/platform/platform.js';
import { type LinkProxy, linkProxyName } from '../../local/network/link-proxies.js';
import { type ContainerRecipe, containerName, etcdClientPort, servicePort } from './container-plan.js';
import { labelKeys, runLabels } from './labels.js';

/** The toxiproxy container's name on the run's network: services dial their links' proxies there. */
export const toxiproxyAlias = 'toxiproxy';
/** Its API port (published on 127.0.0.1 for the harness). */
export const toxiproxyApiPort = 8474;
/** Proxies listen on consecutive ports from here inside the toxiproxy container. */
export const firstProxyPort = 20_000;

/** One proxy in the run's toxiproxy container, decided before anything starts. */
export interface DockerLinkProxy extends LinkProxy {
  /** What toxiproxy listens on inside its container (`0.0.0.0:<port>`). */
  listen: string;
  /** The target by its network alias (`node-a-gpu0:8000`): resolved per connection, so a restart that moves it is followed. */
  upstream: string;
}

/** The link whose destination a role is; the gateway (the harness's entry) and helpers have none. */
const linkInto: Partial<Record<ComponentInfo['role'], { link: LinkName; port: number }>> = {
  worker: { link: 'batcher->worker', port: servicePort },
  batcher: { link: 'gateway->batcher', port: servicePort },
  etcd: { link: 'any->etcd', port: etcdClientPort },
};

/**
 * One proxy per link destination, as on the local platform: in front of every worker (batcher->worker),
 * every batcher (gateway->batcher) and every etcd member (any->etcd). Pure: the services' settings name
 * these addresses before any container starts.
 */
export function planLinkProxies(
  components: ReadonlyArray<Pick<ComponentInfo, 'role' | 'id'>>,
): DockerLinkProxy[] {
  const out: DockerLinkProxy[] = [];
  for (const component of components) {
    const into = linkInto[component.role];
    if (!into) continue;
    const port = firstProxyPort + out.length;
    out.push({
      name: linkProxyName(into.link, component.id),
      link: into.link,
      targetId: component.id,
      listen: `0.0.0.0:${port}`,
      listenUrl: `http://${toxiproxyAlias}:${port}`,
      upstream: `${component.id}:${into.port}`,
      upstreamUrl: `http://${component.id}:${into.port}`,
    });
  }
  return out;
}

/** The run's toxiproxy container: labelled with the run (teardown and `gauntlet down` remove it), API on 127.0.0.1 only. */
export function toxiproxyContainer(runId: string, image: string): ContainerRecipe {
  return {
    name: containerName(runId, toxiproxyAlias),
    alias: toxiproxyAlias,
    image,
    command: ['-host=0.0.0.0', `-port=${toxiproxyApiPort}`],
    env: {},
    labels: { ...runLabels(runId), [labelKeys.helper]: 'toxiproxy' },
    port: toxiproxyApiPort,
    publish: true,
    readyLog: '',
    readyHttpPath: '/version',
    limits: {},
  };
}
