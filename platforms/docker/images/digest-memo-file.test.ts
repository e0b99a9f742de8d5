import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDigestMemo, saveDigestMemo } from './digest-memo-file.js';

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-memo-'));
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const key = (path: string, size: number, mtimeMs: number, ino: number) =>
  [path, size, mtimeMs, ino].join('\0');

describe('digest memo file', () => {
  it("keeps other images' digests and drops a changed file's old one", async () => {
    const file = join(dir, 'memo.json');
    const first = await loadDigestMemo(file);
    first.set(key('/usr/bin/node', 100, 1, 7), 'a');
    first.set(key('/usr/bin/etcd', 50, 1, 8), 'b');
    await saveDigestMemo(first, file);
    const second = await loadDigestMemo(file);
    // This run hashes only node, which changed (new size and time).
    second.set(key('/usr/bin/node', 101, 2, 7), 'c');
    await saveDigestMemo(second, file);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      [key('/usr/bin/node', 101, 2, 7)]: 'c',
      [key('/usr/bin/etcd', 50, 1, 8)]: 'b',
    });
  });

  it('starts empty without a file', async () => {
    expect((await loadDigestMemo(join(dir, 'none.json'))).size).toBe(0);
  });
});
