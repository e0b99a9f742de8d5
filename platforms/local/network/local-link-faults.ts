import type {
  LinkDirection,
  LinkFaults,
  LinkLeftover,
  LinkName,
  LinkToxic,
} from '../../../core/network/link-faults.js';
import type { LinkProxy } from './link-proxies.js';
import type { Toxic, ToxicStream, ToxiproxyClient } from './toxiproxy-client.js';

/** Our toxics are named with this prefix, so the audit can tell them apart from anyone else's. */
const toxicPrefix = 'gauntlet-';

/**
 * The toxiproxy proxies a platform put on its links: LinkProxies on the local platform, the proxies in the
 * run's toxiproxy container on the docker platform. The toxics below work the same on either.
 */
export interface ProxyTable {
  readonly client: ToxiproxyClient;
  proxies(): readonly LinkProxy[];
  find(link: LinkName, targetId: string): LinkProxy | undefined;
  /** The target's own URL when `url` is one of the proxies (path kept), else `url` unchanged. */
  directUrl(url: string): string;
}

/**
 * LinkFaults with toxiproxy: toxics on the proxies of a ProxyTable. Named for the local platform, where it
 * started; the docker platform uses it too, on the proxies of its toxiproxy container.
 */
export class LocalLinkFaults implements LinkFaults {
  private seq = 0;

  constructor(private readonly proxies: ProxyTable) {}

  targets(link: LinkName): string[] {
    return this.proxies
      .proxies()
      .filter((p) => p.link === link)
      .map((p) => p.targetId);
  }

  async inject(link: LinkName, targetId: string, toxic: LinkToxic): Promise<() => Promise<void>> {
    const proxy = this.proxyOf(link, targetId);
    const client = this.proxies.client;
    if (toxic.kind === 'refuse') {
      await client.updateProxy(proxy.name, { enabled: false });
      return async () => {
        await client.updateProxy(proxy.name, { enabled: true });
      };
    }
    const added: string[] = [];
    try {
      for (const toxicBody of this.toxicsFor(toxic)) {
        await client.addToxic(proxy.name, toxicBody);
        added.push(toxicBody.name);
      }
    } catch (error) {
      await Promise.allSettled(added.map((name) => client.removeToxic(proxy.name, name)));
      throw error;
    }
    return async () => {
      for (const name of added) await client.removeToxic(proxy.name, name);
    };
  }

  async leftovers(): Promise<LinkLeftover[]> {
    const state = await this.proxies.client.proxies();
    const out: LinkLeftover[] = [];
    for (const proxy of this.proxies.proxies()) {
      const live = state[proxy.name];
      const base = { link: proxy.link, targetId: proxy.targetId, proxy: proxy.name };
      if (!live) {
        out.push({ ...base, what: 'proxy missing from toxiproxy' });
        continue;
      }
      if (!live.enabled) out.push({ ...base, what: 'proxy disabled' });
      for (const toxic of live.toxics) out.push({ ...base, what: `toxic ${describeToxic(toxic)}` });
    }
    return out;
  }

  async clearAll(): Promise<void> {
    await this.proxies.client.reset();
  }

  directUrl(url: string): string {
    return this.proxies.directUrl(url);
  }

  private proxyOf(link: LinkName, targetId: string): LinkProxy {
    const proxy = this.proxies.find(link, targetId);
    if (!proxy) {
      const known = this.targets(link);
      throw new Error(
        `no ${link} proxy in front of ${targetId}; proxied targets: ${known.length > 0 ? known.join(', ') : 'none (was the stack started with network proxies?)'}`,
      );
    }
    return proxy;
  }

  private toxicsFor(toxic: Exclude<LinkToxic, { kind: 'refuse' }>): Array<Omit<Toxic, 'toxicity'>> {
    const id = ++this.seq;
    const make = (type: Toxic['type'], stream: ToxicStream, attributes: Record<string, number>) => ({
      name: `${toxicPrefix}${type}-${stream}-${id}`,
      type,
      stream,
      attributes,
    });
    switch (toxic.kind) {
      case 'latency':
        return streams(toxic.direction).map((s) =>
          make('latency', s, { latency: toxic.latencyMs, jitter: toxic.jitterMs }),
        );
      case 'blackhole':
        return streams(toxic.direction).map((s) => make('timeout', s, { timeout: 0 }));
      case 'bandwidth':
        return streams(toxic.direction).map((s) => make('bandwidth', s, { rate: toxic.rateKBps }));
      case 'reset_peer':
        // On the request stream: the first bytes a source sends get the connection reset.
        return [make('reset_peer', 'upstream', { timeout: toxic.timeoutMs })];
    }
  }
}

function streams(direction: LinkDirection): ToxicStream[] {
  return direction === 'both' ? ['upstream', 'downstream'] : [direction];
}

function describeToxic(toxic: Toxic): string {
  const attributes = Object.entries(toxic.attributes)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${toxic.name} (${toxic.type} ${toxic.stream}${attributes ? ` ${attributes}` : ''})`;
}
