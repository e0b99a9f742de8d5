import type { LinkName } from '../../../core/network/link-faults.js';
import type { SupervisedProcess } from '../../../core/process/supervised-process.js';
import type { ToxiproxyClient } from './toxiproxy-client.js';
import {
  type StartedToxiproxyServer,
  startToxiproxyServer,
  type ToxiproxyServerOptions,
} from './toxiproxy-server.js';

/** One toxiproxy proxy: the address a link's source uses to reach one destination component. */
export interface LinkProxy {
  /** `<source role>-><target id>`, e.g. `batcher->node-a-gpu0`, `any->etcd-0`. */
  name: string;
  link: LinkName;
  targetId: string;
  /** What the platform advertises for the target: http://127.0.0.1:<proxy port> here (docker: the proxy container's name). */
  listenUrl: string;
  /** The target's own address: http://127.0.0.1:<real port> here (docker: its network alias). */
  upstreamUrl: string;
}

export function linkProxyName(link: LinkName, targetId: string): string {
  return `${link.split('->')[0]}->${targetId}`;
}

/**
 * The local platform's network fault layer: one toxiproxy server, one proxy per link destination. Services
 * advertise the proxy's URL (ServiceEnv.advertiseUrl; etcdEndpoints for etcd), so traffic on a link passes
 * the proxy and LocalLinkFaults can put toxics on it.
 */
export class LinkProxies implements AsyncDisposable {
  private readonly byName = new Map<string, LinkProxy>();

  private constructor(private readonly server: StartedToxiproxyServer) {}

  static async start(options: ToxiproxyServerOptions): Promise<LinkProxies> {
    return new LinkProxies(await startToxiproxyServer(options));
  }

  get apiUrl(): string {
    return this.server.apiUrl;
  }

  get client(): ToxiproxyClient {
    return this.server.client;
  }

  /** The toxiproxy server process (the local platform records it as a helper for crash clean-up). */
  get process(): SupervisedProcess {
    return this.server.process;
  }

  /**
   * The proxy URL in front of `upstreamUrl` for this link and target, creating the proxy on a free port
   * on first use. Calling it again returns the same URL (and follows a changed upstream port).
   */
  async proxyFor(link: LinkName, targetId: string, upstreamUrl: string): Promise<string> {
    const name = linkProxyName(link, targetId);
    const upstream = hostPort(upstreamUrl);
    const known = this.byName.get(name);
    if (known) {
      if (hostPort(known.upstreamUrl) !== upstream) {
        await this.client.updateProxy(name, { upstream });
        known.upstreamUrl = `http://${upstream}`;
      }
      return known.listenUrl;
    }
    const created = await this.client.createProxy({ name, listen: '127.0.0.1:0', upstream });
    const proxy: LinkProxy = {
      name,
      link,
      targetId,
      listenUrl: `http://${created.listen}`,
      upstreamUrl: `http://${upstream}`,
    };
    this.byName.set(name, proxy);
    return proxy.listenUrl;
  }

  proxies(): readonly LinkProxy[] {
    return [...this.byName.values()];
  }

  find(link: LinkName, targetId: string): LinkProxy | undefined {
    return this.byName.get(linkProxyName(link, targetId));
  }

  /** The upstream URL when `url` is one of the proxies (path kept), else `url` unchanged. */
  directUrl(url: string): string {
    for (const proxy of this.byName.values()) {
      if (url === proxy.listenUrl || url.startsWith(`${proxy.listenUrl}/`)) {
        return proxy.upstreamUrl + url.slice(proxy.listenUrl.length);
      }
    }
    return url;
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

export function startLinkProxies(options: ToxiproxyServerOptions): Promise<LinkProxies> {
  return LinkProxies.start(options);
}

function hostPort(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname !== '127.0.0.1' && parsed.hostname !== 'localhost' && parsed.hostname !== '[::1]') {
    throw new Error(`link proxies front local services only; got upstream ${url}`);
  }
  return `${parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname}:${parsed.port}`;
}
