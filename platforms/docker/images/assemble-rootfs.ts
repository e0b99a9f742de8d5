import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { docker } from '../docker-cli.js';
import type { HashInput } from './content-hash.js';
import type { RootfsEntry } from './rootfs-plan.js';

/** The hash inputs of a planned root filesystem: every file's bytes and mode, every folder's mode. */
export function rootfsHashInputs(plan: RootfsEntry[]): HashInput[] {
  return plan.map((entry) => {
    if (entry.kind === 'file') return { kind: 'file', name: entry.imagePath, path: entry.hostPath };
    if (entry.kind === 'text') return { kind: 'text', name: entry.imagePath, text: entry.text };
    return { kind: 'text', name: entry.imagePath, text: `dir ${entry.mode.toString(8)}` };
  });
}

/**
 * Writes the planned files into a scratch folder, streams it as a tar (owned by root, as in any image) into
 * `docker import`, and removes the folder. Library symlinks are copied as the files they point to.
 */
export async function importRootfs(
  plan: RootfsEntry[],
  tag: string,
  labels: Record<string, string>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-rootfs-'));
  try {
    for (const entry of plan) {
      const target = join(dir, entry.imagePath);
      if (entry.kind === 'dir') {
        await mkdir(target, { recursive: true });
        await chmod(target, entry.mode);
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      if (entry.kind === 'file') {
        await copyFile(entry.hostPath, target);
        await chmod(target, entry.executable ? 0o755 : 0o644);
      } else {
        await writeFile(target, entry.text, { mode: 0o644 });
      }
    }
    const tar = spawn('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-c', '.'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tarError = '';
    tar.stderr.on('data', (chunk: Buffer) => {
      tarError += chunk.toString();
    });
    const tarDone = new Promise<number | null>((resolve) => tar.on('close', resolve));
    const changes = Object.entries(labels).flatMap(([key, value]) => ['--change', `LABEL ${key}=${value}`]);
    await docker(['import', ...changes, '-', tag], { stdin: tar.stdout, timeoutMs: 300_000 });
    const tarCode = await tarDone;
    if (tarCode !== 0)
      throw new Error(`tar of the root filesystem for ${tag} failed (exit ${tarCode}): ${tarError}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
