import { execFileSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

interface EnsureK6Module {
  ensureK6(options: {
    root: string;
    quiet?: boolean;
    log?: (line: string) => void;
    progress?: (label: string, expected?: string) => { stop(): void };
    expected?: string;
  }): Promise<string>;
  k6CachePath(root: string): Promise<{ binary: string }>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// A variable specifier: the module is plain JS (it runs before the TypeScript build) without a .d.ts.
const setupModule = join(repoRoot, 'bin', 'setup', 'k6.js');
const { ensureK6, k6CachePath } = (await import(setupModule)) as EnsureK6Module;

/** Env changes made by a test, undone after it (vitest runs each file in its own process). */
const savedEnv = { PATH: process.env.PATH, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };

describe('ensureK6 (no build: a fake cached binary)', () => {
  let scratch = '';
  let root = '';

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'gauntlet-ensure-k6-'));
    root = join(scratch, 'repo');
    for (const dir of ['tools/k6', 'tools/xk6-gauntlet']) {
      await cp(join(repoRoot, dir), join(root, dir), { recursive: true });
    }
    process.env.XDG_CACHE_HOME = join(scratch, 'cache');
    // go and git are only looked up on PATH here: stand-ins make the check pass without a real toolchain.
    const fakeBin = join(scratch, 'fake-bin');
    await mkdir(fakeBin);
    for (const name of ['go', 'git']) {
      await writeFile(join(fakeBin, name), '#!/bin/sh\nexit 1\n');
      await chmod(join(fakeBin, name), 0o755);
    }
    process.env.PATH = fakeBin;
  });

  afterEach(async () => {
    process.env.PATH = savedEnv.PATH;
    if (savedEnv.XDG_CACHE_HOME === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedEnv.XDG_CACHE_HOME;
    await rm(scratch, { recursive: true, force: true });
  });

  async function plantCachedBinary(): Promise<string> {
    const { binary } = await k6CachePath(root);
    await mkdir(dirname(binary), { recursive: true });
    await writeFile(binary, '#!/bin/sh\necho fake-k6\n');
    await chmod(binary, 0o755);
    return binary;
  }

  it('links a cached binary without building, quickly and idempotently', async () => {
    const binary = await plantCachedBinary();
    const lines: string[] = [];
    const startedMs = performance.now();
    const linked = await ensureK6({ root, log: (line) => lines.push(line) });
    expect(performance.now() - startedMs).toBeLessThan(1_000);
    expect(linked).toBe(join(root, '.tools', 'bin', 'k6'));
    expect(await readlink(linked)).toBe(binary);
    expect(execFileSync(linked, { encoding: 'utf8' })).toBe('fake-k6\n');
    expect(await ensureK6({ root, log: (line) => lines.push(line) })).toBe(linked);
    expect(lines).toEqual([]); // nothing was built
  });

  it('keys the cache on the extension sources but not on its tests', async () => {
    const before = (await k6CachePath(root)).binary;
    await writeFile(join(root, 'tools/xk6-gauntlet/sse/extra_test.go'), 'package sse\n');
    expect((await k6CachePath(root)).binary).toBe(before);
    await writeFile(join(root, 'tools/xk6-gauntlet/sse/extra.go'), 'package sse\n');
    expect((await k6CachePath(root)).binary).not.toBe(before);
  });

  it('says what to install when go or git is missing', async () => {
    await plantCachedBinary();
    process.env.PATH = join(scratch, 'nothing-here');
    await expect(ensureK6({ root, quiet: true })).rejects.toThrow(
      'Go >= 1.25 is needed to build k6 (apt-get install golang-go, or https://go.dev/dl)',
    );
    await rm(join(scratch, 'fake-bin', 'git'));
    process.env.PATH = join(scratch, 'fake-bin');
    await expect(ensureK6({ root, quiet: true })).rejects.toThrow(/git is needed to build k6/);
  });

  it('shows a build through the progress display, also when quiet, and stops it when the build ends', async () => {
    // A stand-in for go: `go env GOVERSION` and a `go build -o OUT` that writes a k6 reporting what verify wants.
    const fakeGo = [
      '#!/bin/sh',
      'if [ "$1" = env ]; then echo go1.26.0; exit 0; fi',
      'while [ "$#" -gt 0 ] && [ "$1" != -o ]; do shift; done',
      `printf '#!/bin/sh\\necho "k6 v1.8.1 (go1.26.0) k6/x/sse k6/x/gauntlet xk6-disruptor v0.3.17"\\n' > "$2"`,
      'chmod +x "$2"',
    ].join('\n');
    await writeFile(join(scratch, 'fake-bin', 'go'), `${fakeGo}\n`);
    process.env.PATH = `${join(scratch, 'fake-bin')}:/usr/bin:/bin`;
    const shown: Array<[string, string | undefined]> = [];
    let stopped = 0;
    const lines: string[] = [];
    const linked = await ensureK6({
      root,
      quiet: true,
      log: (line) => lines.push(line),
      expected: '~6 min on 2 cores',
      progress: (label, expected) => {
        shown.push([label, expected]);
        return {
          stop() {
            stopped++;
          },
        };
      },
    });
    expect(shown).toEqual([['k6: building v1.8.1', '~6 min on 2 cores']]);
    expect(stopped).toBe(1);
    expect(lines).toEqual([]);
    expect(execFileSync(linked, ['version'], { encoding: 'utf8' })).toMatch(/^k6 v1\.8\.1 \(/);
  });

  it('refuses when go.mod and pins.json disagree', async () => {
    const goMod = join(root, 'tools/k6/go.mod');
    await writeFile(
      goMod,
      (await readFile(goMod, 'utf8')).replace('go.k6.io/k6 v1.8.1', 'go.k6.io/k6 v1.7.0'),
    );
    await expect(ensureK6({ root, quiet: true })).rejects.toThrow(
      'tools/k6/pins.json pins go.k6.io/k6 v1.8.1 but tools/k6/go.mod requires v1.7.0',
    );
  });
});
