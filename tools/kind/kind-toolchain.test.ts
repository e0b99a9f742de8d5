import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

interface KindToolchain {
  pins: { kubernetes: string; etcd: string; coredns: string; kind: string };
  kubernetesDir: string;
  etcd: string;
  coredns: string;
  kind: string;
}
interface KindSetupModule {
  kindToolchainPaths(root: string): Promise<KindToolchain>;
  parsePins(text: string, file: string): KindToolchain['pins'];
  kubernetesLdflags(version: string): string;
  KUBERNETES_COMMANDS: readonly string[];
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// A variable specifier: the module is plain JS (it runs before the TypeScript build) without a .d.ts.
const setupModule = join(repoRoot, 'bin', 'setup', 'kind.js');
const kindSetup = (await import(setupModule)) as KindSetupModule;

describe('kind toolchain pins and cache keys (no build)', () => {
  let scratch = '';
  let root = '';
  const savedCache = process.env.XDG_CACHE_HOME;

  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'gauntlet-kind-toolchain-'));
    root = join(scratch, 'repo');
    await cp(join(repoRoot, 'tools', 'kind'), join(root, 'tools', 'kind'), { recursive: true });
    process.env.XDG_CACHE_HOME = join(scratch, 'cache');
  });
  afterEach(async () => {
    process.env.XDG_CACHE_HOME = savedCache;
    await rm(scratch, { recursive: true, force: true });
  });

  it('places every tool under the gauntlet cache, named by version and a content hash', async () => {
    const paths = await kindSetup.kindToolchainPaths(root);
    const cache = join(scratch, 'cache', 'gauntlet', 'kind');
    expect(paths.kubernetesDir).toMatch(new RegExp(`^${cache}/kubernetes/v1\\.34\\.4-[0-9a-f]{16}$`));
    expect(paths.etcd).toMatch(new RegExp(`^${cache}/etcd/v3\\.6\\.5-[0-9a-f]{16}/etcd$`));
    expect(paths.coredns).toMatch(new RegExp(`^${cache}/coredns/v1\\.12\\.1-[0-9a-f]{16}/coredns$`));
    expect(paths.kind).toMatch(new RegExp(`^${cache}/kind/v0\\.33\\.0-[0-9a-f]{16}/kind$`));
  });

  it('changes the Kubernetes key when the consumer module changes, and only that key', async () => {
    const before = await kindSetup.kindToolchainPaths(root);
    const goSum = join(root, 'tools', 'kind', 'kubernetes', 'go.sum');
    await writeFile(goSum, `${await readFile(goSum, 'utf8')}example.com/x v1.0.0 h1:AAAA=\n`);
    const after = await kindSetup.kindToolchainPaths(root);
    expect(after.kubernetesDir).not.toBe(before.kubernetesDir);
    expect(after.etcd).toBe(before.etcd);
    expect(after.kind).toBe(before.kind);
  });

  it('refuses pins that disagree with the consumer module', async () => {
    const pinsFile = join(root, 'tools', 'kind', 'pins.json');
    const pins = JSON.parse(await readFile(pinsFile, 'utf8')) as Record<string, unknown>;
    await writeFile(pinsFile, JSON.stringify({ ...pins, kubernetes: 'v1.34.5' }));
    await expect(kindSetup.kindToolchainPaths(root)).rejects.toThrow(
      /pins k8s\.io\/kubernetes v1\.34\.5 but .*kubernetes\/go\.mod requires v1\.34\.4/,
    );
  });

  it('names the file and field of a bad pin', () => {
    expect(() => kindSetup.parsePins('{"kubernetes":"1.34"}', 'pins.json')).toThrow(
      'pins.json: "kubernetes" must be a version like "v1.2.3", got "1.34"',
    );
    expect(() => kindSetup.parsePins('{', 'pins.json')).toThrow(/pins\.json: not valid JSON/);
  });

  it('stamps the Kubernetes version into both version packages', () => {
    const flags = kindSetup.kubernetesLdflags('v1.34.4');
    for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
      expect(flags).toContain(`-X ${pkg}.gitVersion=v1.34.4`);
      expect(flags).toContain(`-X ${pkg}.gitMinor=34`);
    }
  });

  it('builds the commands the consumer module keeps dependencies for', async () => {
    const tools = await readFile(join(repoRoot, 'tools', 'kind', 'kubernetes', 'tools.go'), 'utf8');
    for (const command of kindSetup.KUBERNETES_COMMANDS) {
      expect(tools).toContain(`"k8s.io/kubernetes/cmd/${command}"`);
    }
  });
});
