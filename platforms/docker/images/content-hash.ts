import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * One hash over what an image is built from: named entries (a path inside the image, or a setting) mapped
 * to files, folders or plain text. Any change to a byte, a name or a mode gives another hash; the order
 * the entries are given in does not matter. Images are tagged with it, so an unchanged input is not rebuilt.
 */
export type HashInput =
  | { kind: 'file'; name: string; path: string }
  | { kind: 'folder'; name: string; path: string; exclude?: string[] }
  | { kind: 'text'; name: string; text: string };

/**
 * Remembers file digests by path, size, modification time and inode, so an unchanged 100 MB node binary
 * is not read again on every bring-up. Only a memo: the hash is the same with or without it.
 */
export type DigestMemo = Map<string, string>;

export async function contentHash(inputs: HashInput[], memo: DigestMemo = new Map()): Promise<string> {
  const hash = createHash('sha256');
  const sorted = [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const input of sorted) {
    if (input.kind === 'text') {
      hash.update(`text ${input.name} ${Buffer.byteLength(input.text)}\n${input.text}\n`);
    } else if (input.kind === 'file') {
      await hashFile(hash, input.name, input.path, memo);
    } else {
      for (const file of await filesUnder(input.path, input.exclude)) {
        await hashFile(hash, `${input.name}/${relative(input.path, file)}`, file, memo);
      }
    }
  }
  return hash.digest('hex');
}

type Hasher = ReturnType<typeof createHash>;

async function hashFile(hash: Hasher, name: string, path: string, memo: DigestMemo): Promise<void> {
  const stat = await lstat(path);
  if (stat.isSymbolicLink()) {
    hash.update(`link ${name} ${await readlink(path)}\n`);
    return;
  }
  const key = `${path}\0${stat.size}\0${stat.mtimeMs}\0${stat.ino}`;
  let digest = memo.get(key);
  if (digest === undefined) {
    const file = createHash('sha256');
    for await (const chunk of createReadStream(path)) file.update(chunk as Buffer);
    digest = file.digest('hex');
    memo.set(key, digest);
  }
  // Only the executable bit matters to an image; owners and times do not.
  hash.update(`file ${name} ${stat.mode & 0o111 ? 'x' : '-'} ${stat.size} ${digest}\n`);
}

/**
 * Every file and symlink under a folder, sorted, so that the walk order of the file system does not matter;
 * `exclude` names paths relative to the folder that are skipped with everything under them.
 */
export async function filesUnder(folder: string, exclude: string[] = []): Promise<string[]> {
  const out: string[] = [];
  const skipped = new Set(exclude.map((path) => join(folder, path)));
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (skipped.has(path)) continue;
      if (entry.isDirectory()) await walk(path);
      else out.push(path);
    }
  };
  await walk(folder);
  return out.sort();
}
