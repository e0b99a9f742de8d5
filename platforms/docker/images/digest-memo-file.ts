import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DigestMemo } from './content-hash.js';

/** Where file digests are remembered between bring-ups (next to the other Gauntlet caches). */
export function digestMemoFile(): string {
  return join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'gauntlet',
    'docker',
    'file-digests.json',
  );
}

/**
 * A memo that records which entries were used. Saving keeps those, and of the rest only entries for files
 * this run did not hash (another image's), so a changed file's old digest is dropped.
 */
class UsedMemo extends Map<string, string> {
  readonly used = new Set<string>();
  override get(key: string): string | undefined {
    const value = super.get(key);
    if (value !== undefined) this.used.add(key);
    return value;
  }
  override set(key: string, value: string): this {
    this.used.add(key);
    return super.set(key, value);
  }
}

const pathOf = (key: string) => key.split('\0')[0] ?? key;

export async function loadDigestMemo(file = digestMemoFile()): Promise<DigestMemo> {
  const memo = new UsedMemo();
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    for (const [key, value] of Object.entries(saved)) if (typeof value === 'string') memo.set(key, value);
    memo.used.clear();
  } catch {
    // No memo yet, or an unreadable one: every file is read once more.
  }
  return memo;
}

export async function saveDigestMemo(memo: DigestMemo, file = digestMemoFile()): Promise<void> {
  const used = memo instanceof UsedMemo ? memo.used : new Set(memo.keys());
  const hashedPaths = new Set([...used].map(pathOf));
  const out: Record<string, string> = {};
  for (const [key, value] of memo) {
    if (used.has(key) || !hashedPaths.has(pathOf(key))) out[key] = value;
  }
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(out)}\n`);
  await rename(temp, file);
}
