/**
 * A small client for toxiproxy's REST API (v2). The npm `toxiproxy-node-client` is maintained and typed,
 * but Gauntlet needs six calls; this one adds no dependency, puts a timeout on every call and names the
 * proxy, toxic and HTTP status in its errors.
 */

export type ToxicStream = 'upstream' | 'downstream';

export interface Toxic {
  name: string;
  type: 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';
  stream: ToxicStream;
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ToxiproxyProxy {
  name: string;
  /** host:port the proxy listens on (the real port when it was created with port 0). */
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Toxic[];
}

export class ToxiproxyError extends Error {
  override readonly name = 'ToxiproxyError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export class ToxiproxyClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 2_000,
  ) {}

  async version(): Promise<string> {
    const body = (await this.call('GET', '/version')) as { version?: string };
    return body.version ?? 'unknown';
  }

  async proxies(): Promise<Record<string, ToxiproxyProxy>> {
    return (await this.call('GET', '/proxies')) as Record<string, ToxiproxyProxy>;
  }

  async createProxy(proxy: {
    name: string;
    listen: string;
    upstream: string;
    enabled?: boolean;
  }): Promise<ToxiproxyProxy> {
    return (await this.call('POST', '/proxies', { enabled: true, ...proxy })) as ToxiproxyProxy;
  }

  async updateProxy(name: string, patch: { enabled?: boolean; upstream?: string }): Promise<ToxiproxyProxy> {
    return (await this.call('POST', `/proxies/${encodeURIComponent(name)}`, patch)) as ToxiproxyProxy;
  }

  async deleteProxy(name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${encodeURIComponent(name)}`);
  }

  async toxics(proxy: string): Promise<Toxic[]> {
    return (await this.call('GET', `/proxies/${encodeURIComponent(proxy)}/toxics`)) as Toxic[];
  }

  async addToxic(proxy: string, toxic: Omit<Toxic, 'toxicity'> & { toxicity?: number }): Promise<Toxic> {
    return (await this.call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, {
      toxicity: 1,
      ...toxic,
    })) as Toxic;
  }

  /** Resolves false when the toxic (or its proxy) was already gone. */
  async removeToxic(proxy: string, toxic: string): Promise<boolean> {
    try {
      await this.call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`);
      return true;
    } catch (error) {
      if (error instanceof ToxiproxyError && error.status === 404) return false;
      throw error;
    }
  }

  /** Removes every toxic and re-enables every proxy. */
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ToxiproxyError(`toxiproxy ${method} ${this.baseUrl}${path}: ${(error as Error).message}`, 0);
    }
    const text = await response.text();
    if (!response.ok) {
      const detail = parseError(text);
      throw new ToxiproxyError(
        `toxiproxy ${method} ${path}: HTTP ${response.status} ${detail}`,
        response.status,
      );
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}

function parseError(text: string): string {
  try {
    return (JSON.parse(text) as { error?: string }).error ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
