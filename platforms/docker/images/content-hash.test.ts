import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash, type HashInput } from './content-hash.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-hash-'));
  await mkdir(join(dir, 'app', 'sub'), { recursive: true });
  await writeFile(join(dir, 'app', 'a.js'), 'a');
  await writeFile(join(dir, 'app', 'sub', 'b.js'), 'b');
  await writeFile(join(dir, 'bin'), 'binary');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const inputs = (): HashInput[] => [
  { kind: 'folder', name: 'app', path: join(dir, 'app') },
  { kind: 'file', name: 'usr/bin/x', path: join(dir, 'bin') },
  { kind: 'text', name: 'entrypoint', text: '["/usr/bin/x"]' },
];

describe('contentHash', () => {
  it('is stable and ignores the order of the inputs', async () => {
    const first = await contentHash(inputs());
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentHash([...inputs()].reverse())).toBe(first);
  });

  it('changes with a byte of a file, a new file, a mode, a symlink or a setting', async () => {
    const base = await contentHash(inputs());
    const seen = new Set([base]);
    await writeFile(join(dir, 'app', 'sub', 'b.js'), 'B');
    seen.add(await contentHash(inputs()));
    await writeFile(join(dir, 'app', 'c.js'), '');
    seen.add(await contentHash(inputs()));
    await chmod(join(dir, 'bin'), 0o755);
    seen.add(await contentHash(inputs()));
    await symlink('a.js', join(dir, 'app', 'link.js'));
    seen.add(await contentHash(inputs()));
    seen.add(await contentHash([...inputs().slice(0, 2), { kind: 'text', name: 'entrypoint', text: '[]' }]));
    expect(seen.size).toBe(6);
  });

  it('depends on where a file goes in the image, not only on its bytes', async () => {
    const a = await contentHash([{ kind: 'file', name: 'usr/bin/x', path: join(dir, 'bin') }]);
    const b = await contentHash([{ kind: 'file', name: 'usr/bin/y', path: join(dir, 'bin') }]);
    expect(a).not.toBe(b);
  });
});

describe('contentHash with a digest memo', () => {
  it('gives the same hash with and without the memo, and reuses its digests', async () => {
    const memo = new Map<string, string>();
    const plain = await contentHash(inputs());
    expect(await contentHash(inputs(), memo)).toBe(plain);
    expect(memo.size).toBe(3);
    // A poisoned memo entry is used as is: proof that the file is not read again while it is unchanged.
    for (const key of memo.keys()) memo.set(key, '0'.repeat(64));
    expect(await contentHash(inputs(), memo)).not.toBe(plain);
  });
});
