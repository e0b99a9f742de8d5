import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackFaults } from '../chaos/faults/stack-faults.js';
import { auditStack } from '../chaos/measure/audit.js';
import { type LinkProxies, startLinkProxies } from '../platforms/local/network/link-proxies.js';
import { LocalLinkFaults } from '../platforms/local/network/local-link-faults.js';
import { ProcessStack, sleeper } from '../platforms/local/testing/process-stack.js';
import { startWorkerServer, type WorkerServer } from '../stack/worker/worker-server.js';

const adminToken = 'adm-audit';

describe('auditStack after rollback', () => {
  let dir: string;
  let worker: WorkerServer;
  let proxies: LinkProxies;
  let links: LocalLinkFaults;
  let stack: ProcessStack;
  let faults: StackFaults;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gauntlet-audit-'));
    worker = await startWorkerServer({ id: 'node-a-gpu0', adminToken });
    proxies = await startLinkProxies({ logFile: join(dir, 'toxiproxy.log') });
    links = new LocalLinkFaults(proxies);
    // The worker is advertised through its proxy, as the local platform does with network proxies on.
    const advertised = await proxies.proxyFor('batcher->worker', 'node-a-gpu0', worker.url);
    stack = await ProcessStack.start(
      [
        { role: 'worker', id: 'node-a-gpu0', node: 'node-a', launch: sleeper(advertised) },
        { role: 'batcher', id: 'batcher-0', node: 'control', launch: sleeper() },
        { role: 'batcher', id: 'batcher-1', node: 'control', launch: sleeper() },
      ],
      { runDir: dir, adminToken },
    );
    faults = new StackFaults(stack, { links });
  });

  afterAll(async () => {
    await stack?.down();
    await proxies?.close();
    await worker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds nothing on a clean stack', async () => {
    expect(await auditStack(stack, { links })).toEqual([]);
  });

  it('finds a frozen process, a missing component, a toxic left on a link and a GPU fault left', async () => {
    await faults.freeze('batcher-0');
    await faults.kill('batcher-1');
    await faults.link('batcher->worker', ['node-a-gpu0'], {
      kind: 'latency',
      latencyMs: 100,
      jitterMs: 0,
      direction: 'downstream',
    });
    // The admin call goes past the proxy (stack.reach), so the toxic does not slow the fault API down.
    await faults.gpu(['node-a-gpu0'], { hang: true });
    const findings = await auditStack(stack, { links });
    expect(findings.map((f) => [f.kind, f.componentId])).toEqual([
      ['frozen', 'batcher-0'],
      ['missing', 'batcher-1'],
      ['toxic_left', 'node-a-gpu0'],
      ['gpu_fault_left', 'node-a-gpu0'],
    ]);
    expect(findings[0]?.detail).toMatch(/batcher batcher-0 \(pid \d+\) is frozen/);
    expect(findings[2]?.detail).toContain(
      'batcher->node-a-gpu0: toxic gauntlet-latency-downstream-1 (latency downstream latency=100 jitter=0)',
    );
    expect(findings[3]?.detail).toContain('"hang":true');
  });

  it('finds nothing once the sweeps have run', async () => {
    await faults.thawAll();
    await faults.restartDead();
    await faults.clearGpuFaults();
    await faults.clearLinkFaults();
    expect(await auditStack(stack, { links })).toEqual([]);
  });
});
