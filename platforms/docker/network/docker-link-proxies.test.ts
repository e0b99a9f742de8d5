import { describe, expect, it } from 'vitest';
import { ToxiproxyClient } from '../../local/network/toxiproxy-client.js';
import { planLinkProxies } from '../stack/link-proxy-plan.js';
import { DockerLinkProxies } from './docker-link-proxies.js';

describe('DockerLinkProxies.directUrl', () => {
  const plan = planLinkProxies([
    { role: 'worker', id: 'node-a-gpu0' },
    { role: 'batcher', id: 'batcher-0' },
  ]);
  const addresses = new Map([['node-a-gpu0', 'http://172.18.0.5:8000']]);
  // A recording client: create() only posts each planned proxy.
  const created: string[] = [];
  const client = new ToxiproxyClient('http://127.0.0.1:1');
  client.createProxy = async (proxy) => {
    created.push(`${proxy.name} ${proxy.listen} ${proxy.upstream}`);
    return { ...proxy, enabled: true, toxics: [] };
  };

  it('creates every planned proxy and maps a proxy address to the target container', async () => {
    const table = await DockerLinkProxies.create(client, plan, (id) => addresses.get(id));
    expect(created).toEqual([
      'batcher->node-a-gpu0 0.0.0.0:20000 node-a-gpu0:8000',
      'gateway->batcher-0 0.0.0.0:20001 batcher-0:8000',
    ]);
    expect(table.directUrl('http://toxiproxy:20000/admin/faults')).toBe(
      'http://172.18.0.5:8000/admin/faults',
    );
    expect(table.directUrl('http://toxiproxy:20000')).toBe('http://172.18.0.5:8000');
    // Not a proxy (another port that merely shares a prefix): unchanged.
    expect(table.directUrl('http://toxiproxy:200001/x')).toBe('http://toxiproxy:200001/x');
    // A target whose address is not known (not started yet): unchanged rather than wrong.
    expect(table.directUrl('http://toxiproxy:20001/readyz')).toBe('http://toxiproxy:20001/readyz');
    expect(table.find('batcher->worker', 'node-a-gpu0')?.name).toBe('batcher->node-a-gpu0');
    expect(table.find('gateway->batcher', 'node-a-gpu0')).toBeUndefined();
  });
});
