import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSameProcessAlive } from '../../../core/process/process-identity.js';
import { type LinkProxies, startLinkProxies } from './link-proxies.js';
import { LocalLinkFaults } from './local-link-faults.js';

/** One GET on a fresh connection (no keep-alive pool hiding connection-level faults); latency in ms. */
function timedGet(
  url: string,
  timeoutMs: number,
): Promise<{ status: number; ms: number } | { error: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ error: error.message, ms: performance.now() - started }));
  });
}

async function medianMs(url: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const result = await timedGet(url, 2_000);
    if ('error' in result) throw new Error(`GET ${url} failed: ${result.error}`);
    times.push(result.ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)] ?? Number.NaN;
}

describe('toxiproxy link proxies (real toxiproxy-server)', () => {
  let dir: string;
  let upstream: Server;
  let upstreamUrl: string;
  let proxies: LinkProxies;
  let faults: LocalLinkFaults;
  let proxyUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gauntlet-toxi-'));
    upstream = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const address = upstream.address();
    upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    proxies = await startLinkProxies({ logFile: join(dir, 'toxiproxy.log') });
    faults = new LocalLinkFaults(proxies);
    proxyUrl = await proxies.proxyFor('batcher->worker', 'node-a-gpu0', upstreamUrl);
  });

  afterAll(async () => {
    await proxies?.close();
    await new Promise((resolve) => upstream?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates one proxy per link target on a free port and maps its URL back to the upstream', async () => {
    expect(proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(proxyUrl).not.toBe(upstreamUrl);
    expect(await proxies.proxyFor('batcher->worker', 'node-a-gpu0', upstreamUrl)).toBe(proxyUrl);
    expect(proxies.find('batcher->worker', 'node-a-gpu0')?.name).toBe('batcher->node-a-gpu0');
    expect(proxies.directUrl(`${proxyUrl}/admin/faults`)).toBe(`${upstreamUrl}/admin/faults`);
    expect(proxies.directUrl('http://127.0.0.1:1/x')).toBe('http://127.0.0.1:1/x');
    expect(faults.targets('batcher->worker')).toEqual(['node-a-gpu0']);
    const result = await timedGet(proxyUrl, 2_000);
    expect(result).toMatchObject({ status: 200 });
  });

  it('a +100 ms latency toxic adds about 100 ms, and removing it restores the latency', async () => {
    const before = await medianMs(proxyUrl, 5);
    const undo = await faults.inject('batcher->worker', 'node-a-gpu0', {
      kind: 'latency',
      latencyMs: 100,
      jitterMs: 0,
      direction: 'downstream',
    });
    const during = await medianMs(proxyUrl, 5);
    await undo();
    const after = await medianMs(proxyUrl, 5);
    expect(during - before).toBeGreaterThanOrEqual(90);
    expect(during - before).toBeLessThan(200);
    expect(after).toBeLessThan(before + 50);
  });

  it('a blackhole makes requests time out, and removing it restores them', async () => {
    const undo = await faults.inject('batcher->worker', 'node-a-gpu0', {
      kind: 'blackhole',
      direction: 'both',
    });
    const during = await timedGet(proxyUrl, 500);
    expect(during).toMatchObject({ error: 'timeout' });
    expect(during.ms).toBeGreaterThanOrEqual(450);
    expect((await faults.leftovers()).map((l) => l.what)).toEqual([
      expect.stringContaining('timeout upstream timeout=0'),
      expect.stringContaining('timeout downstream timeout=0'),
    ]);
    await undo();
    await undo(); // removing twice is harmless
    expect(await timedGet(proxyUrl, 1_000)).toMatchObject({ status: 200 });
    expect(await faults.leftovers()).toEqual([]);
  });

  it('refuse closes the proxy (connection refused) until undone', async () => {
    const undo = await faults.inject('batcher->worker', 'node-a-gpu0', { kind: 'refuse' });
    const during = await timedGet(proxyUrl, 1_000);
    expect(during).toMatchObject({ error: expect.stringContaining('ECONNREFUSED') });
    expect(await faults.leftovers()).toEqual([
      expect.objectContaining({ what: 'proxy disabled', targetId: 'node-a-gpu0' }),
    ]);
    await undo();
    expect(await timedGet(proxyUrl, 1_000)).toMatchObject({ status: 200 });
  });

  it('reset_peer resets connections that send data', async () => {
    const undo = await faults.inject('batcher->worker', 'node-a-gpu0', { kind: 'reset_peer', timeoutMs: 0 });
    const during = await timedGet(proxyUrl, 1_000);
    expect(during).toMatchObject({ error: expect.stringMatching(/ECONNRESET|socket hang up/) });
    await undo();
    expect(await timedGet(proxyUrl, 1_000)).toMatchObject({ status: 200 });
  });

  it('clearAll removes every toxic and re-enables every proxy', async () => {
    await faults.inject('batcher->worker', 'node-a-gpu0', {
      kind: 'bandwidth',
      rateKBps: 1,
      direction: 'downstream',
    });
    await faults.inject('batcher->worker', 'node-a-gpu0', { kind: 'refuse' });
    expect((await faults.leftovers()).length).toBe(2);
    await faults.clearAll();
    expect(await faults.leftovers()).toEqual([]);
    expect(await timedGet(proxyUrl, 1_000)).toMatchObject({ status: 200 });
  });

  it('names the missing proxy when a link target has none', async () => {
    await expect(faults.inject('gateway->batcher', 'batcher-0', { kind: 'refuse' })).rejects.toThrow(
      'no gateway->batcher proxy in front of batcher-0',
    );
  });

  it('close() stops the toxiproxy process', async () => {
    const other = await startLinkProxies({ logFile: join(dir, 'other.log') });
    const identity = other.process.identity;
    expect(isSameProcessAlive(identity)).toBe(true);
    await other.close();
    expect(isSameProcessAlive(identity)).toBe(false);
  });
});
