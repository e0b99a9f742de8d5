import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SampleCollector } from './sample-collector.js';
import { syntheticNdjson } from './synthetic-samples.js';
import { tailFile } from './tail-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-tail-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await sleep(10);
  }
}

describe('tailFile', () => {
  it('follows a file that is created later and grows in pieces cut mid-line', async () => {
    const file = join(dir, 'samples.ndjson');
    const text = syntheticNdjson({ samples: 300, seed: 5 });
    const collector = new SampleCollector();
    const tail = tailFile(file, collector, { intervalMs: 10 });
    try {
      await sleep(30); // the file does not exist yet: waited for, not an error
      await writeFile(file, '');
      const pieces = [0, 1000, 1001, 5003, 20_000, text.length - 17];
      for (let i = 0; i < pieces.length; i++) {
        await appendFile(file, text.slice(pieces[i], pieces[i + 1] ?? pieces[i]));
        await sleep(15);
      }
      await until(() => collector.snapshot().samples >= 290, 5000);
      // The last 17 bytes (the end of the last line, without its newline) come with close().
      await appendFile(file, text.slice(text.length - 17, text.length - 1));
    } finally {
      await tail.close();
    }
    const result = collector.result();
    expect(result.samples).toBe(300);
    expect(result.invalidLines).toBe(0);
    expect(tail.bytesRead).toBe(Buffer.byteLength(text) - 1);
  });

  it('reads what is already there on close even before the first poll', async () => {
    const file = join(dir, 'samples.ndjson');
    await writeFile(file, syntheticNdjson({ samples: 50, seed: 1 }));
    const collector = new SampleCollector();
    await using _tail = tailFile(file, collector, { intervalMs: 60_000 });
    await _tail.close();
    expect(collector.result().samples).toBe(50);
  });

  it('rejects bad options up front', () => {
    expect(() => tailFile(join(dir, 'x'), new SampleCollector(), { intervalMs: 0 })).toThrow(/intervalMs/);
  });
});
