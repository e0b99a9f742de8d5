import { describe, expect, it } from 'vitest';
import { type FaultActivity, harnessRegistry, startHarnessExporter } from './harness-exporter.js';

describe('harness exporter', () => {
  it('exposes gauntlet_fault_active with the run testid, 1 in force and 0 rolled back', async () => {
    const faults: FaultActivity[] = [
      { faultId: 'kill-worker', action: 'kill', target: 'worker-a-0', active: true },
      { faultId: 'slow', action: 'gpu-slowdown', target: 'worker-a-1', active: false },
    ];
    const text = await harnessRegistry({ testId: 'run-1', faults: () => faults }).metrics();
    expect(text).toContain(
      'gauntlet_fault_active{testid="run-1",fault_id="kill-worker",action="kill",target="worker-a-0"} 1',
    );
    expect(text).toContain(
      'gauntlet_fault_active{testid="run-1",fault_id="slow",action="gpu-slowdown",target="worker-a-1"} 0',
    );
  });

  it('reads the source at every scrape: a fault rolled back reads 0, one no longer listed is gone', async () => {
    let faults: FaultActivity[] = [{ faultId: 'f', action: 'kill', target: 'w', active: true }];
    const registry = harnessRegistry({ testId: 't', faults: () => faults });
    expect(await registry.metrics()).toMatch(/target="w"\} 1$/m);
    faults = [{ faultId: 'f', action: 'kill', target: 'w', active: false }];
    expect(await registry.metrics()).toMatch(/target="w"\} 0$/m);
    faults = [];
    expect(await registry.metrics()).not.toContain('target="w"');
  });

  it('a target listed twice is in force if either entry is', async () => {
    const row = { faultId: 'f', action: 'freeze', target: 'w' };
    for (const pair of [
      [true, false],
      [false, true],
    ]) {
      const faults = pair.map((active) => ({ ...row, active }));
      expect(await harnessRegistry({ testId: 't', faults: () => faults }).metrics()).toMatch(
        /target="w"\} 1$/m,
      );
    }
  });

  it('serves /metrics on 127.0.0.1, knows when it was scraped, and closes', async () => {
    const exporter = await startHarnessExporter({
      testId: 'run-2',
      faults: () => [{ faultId: 'f', action: 'kill', target: 'w', active: true }],
    });
    expect(exporter.target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(exporter.target.role).toBe('harness');
    const since = Date.now();
    // Not scraped yet: the wait gives up after its timeout and says so.
    expect(await exporter.scrapedSince(since, 50)).toBe(false);
    const waiting = exporter.scrapedSince(since, 5_000);
    const response = await fetch(`${exporter.target.url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('gauntlet_fault_active{testid="run-2"');
    expect(await waiting).toBe(true);
    expect((await fetch(`${exporter.target.url}/other`)).status).toBe(404);
    await exporter.close();
    await expect(fetch(`${exporter.target.url}/metrics`)).rejects.toThrow();
  });
});
