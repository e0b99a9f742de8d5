import { watch } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A lock that test files of one vitest run take so that two of them never hold one resource at the same
 * time (the integration files run two at a time; the kind files, say, must not overlap). It is a directory
 * (mkdir is atomic) in the run's private TMPDIR, with its holder's pid inside: a holder that died without
 * releasing it (a crashed fork) does not block the others. Waiters wake on the directory's removal (a watch)
 * and, as a fallback for an event the watch missed, once a second; the wait is bounded.
 */
export interface HeldLock extends AsyncDisposable {
  release(): Promise<void>;
}

const root = () => join(process.env.GAUNTLET_TEST_TMPDIR ?? tmpdir(), 'gauntlet-test-locks');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function tryTake(dir: string): Promise<boolean> {
  try {
    await mkdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number((await readFile(join(dir, 'pid'), 'utf8').catch(() => '')).trim());
    // A holder that has not written its pid yet is alive (it just made the directory).
    if (!Number.isInteger(holder) || holder <= 0 || alive(holder)) return false;
    await rm(dir, { recursive: true, force: true });
    return tryTake(dir);
  }
  await writeFile(join(dir, 'pid'), String(process.pid));
  return true;
}

export async function holdLock(name: string, timeoutMs: number): Promise<HeldLock> {
  await mkdir(root(), { recursive: true });
  const dir = join(root(), name);
  const deadline = Date.now() + timeoutMs;
  while (!(await tryTake(dir))) {
    const left = deadline - Date.now();
    if (left <= 0)
      throw new Error(`test lock ${name}: still held by another test file after ${timeoutMs} ms`);
    await new Promise<void>((resolve) => {
      const watcher = watch(root(), () => done());
      const timer = setTimeout(done, Math.min(1_000, left));
      function done() {
        watcher.close();
        clearTimeout(timer);
        resolve();
      }
    });
  }
  const release = () => rm(dir, { recursive: true, force: true });
  return { release, [Symbol.asyncDispose]: release };
}
