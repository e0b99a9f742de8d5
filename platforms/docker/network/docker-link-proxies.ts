import type { LinkName } from '../../../core/network/links.js';
import type { ProxyTable } from '../../local/network/local-link-faults.js';
import type { ToxiproxyClient } from '../../local/network/toxiproxy-client.js';
import type { DockerLinkProxy } from '../stack/link-proxy-plan.js';

/**
 * The proxies in a docker run's toxiproxy container (see link-proxy-plan.ts), as the ProxyTable the
 * toxiproxy link faults work on. The proxies' addresses are names on the run's network, which the harness
 * cannot resolve: `directUrl` maps one to the target container's own address instead, read when asked
 * (a restarted container can come back on another address).
 */
export class DockerLinkProxies implements ProxyTable {
  private constructor(
    readonly client: ToxiproxyClient,
    private readonly table: readonly DockerLinkProxy[],
    private readonly addressOf: (targetId: string) => string | undefined,
  ) {}

  /** Creates every planned proxy (toxiproxy resolves each upstream per connection, so targets may start later). */
  static async create(
    client: ToxiproxyClient,
    plan: readonly DockerLinkProxy[],
    addressOf: (targetId: string) => string | undefined,
  ): Promise<DockerLinkProxies> {
    for (const proxy of plan) {
      await client.createProxy({ name: proxy.name, listen: proxy.listen, upstream: proxy.upstream });
    }
    return new DockerLinkProxies(client, plan, addressOf);
  }

  proxies(): readonly DockerLinkProxy[] {
    return this.table;
  }

  find(link: LinkName, targetId: string): DockerLinkProxy | undefined {
    return this.table.find((p) => p.link === link && p.targetId === targetId);
  }

  directUrl(url: string): string {
    for (const proxy of this.table) {
      if (url !== proxy.listenUrl && !url.startsWith(`${proxy.listenUrl}/`)) continue;
      const direct = this.addressOf(proxy.targetId);
      return direct === undefined ? url : direct + url.slice(proxy.listenUrl.length);
    }
    return url;
  }
}
