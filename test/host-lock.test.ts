import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdLock } from './support/host-lock.js';

// The test lock that keeps the kind files apart while the integration files run two at a time.
describe('test lock', () => {
  it('a second holder waits until the first releases, and is woken by the release', async () => {
    const name = `lock-${process.pid}-a`;
    const first = await holdLock(name, 1_000);
    const order: string[] = [];
    const second = holdLock(name, 5_000).then((held) => {
      order.push('second');
      return held;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    order.push('released');
    const releasedAt = Date.now();
    await first.release();
    await (await second).release();
    expect(order).toEqual(['released', 'second']);
    // Woken by the watch, not by the 1 s fallback.
    expect(Date.now() - releasedAt).toBeLessThan(900);
  });

  it('gives up after its bound, naming the lock', async () => {
    const name = `lock-${process.pid}-b`;
    await using _held = await holdLock(name, 1_000);
    await expect(holdLock(name, 300)).rejects.toThrow(`test lock ${name}: still held`);
  });

  it('takes a lock whose holder died without releasing it', async () => {
    const name = `lock-${process.pid}-c`;
    const dead = spawnSync('true').pid;
    const dir = join(process.env.GAUNTLET_TEST_TMPDIR ?? tmpdir(), 'gauntlet-test-locks', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'pid'), String(dead));
    await using _held = await holdLock(name, 1_000);
  });
});
