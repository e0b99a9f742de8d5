import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { dockerEngineStatus } from '../../platforms/docker/docker-cli.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * Kind tests run on the real engine with the toolchain `npm run setup` builds (tools/kind). Without an
 * engine, or where setup was told to skip kind (GAUNTLET_SETUP_KIND=0), they skip and say why.
 */
export async function kindSkipReason(): Promise<string | undefined> {
  const engine = await dockerEngineStatus();
  if (!engine.ok)
    return `no Docker engine answers (${engine.reason.split('\n')[0]}); npm run setup starts one`;
  const setup = (await import(pathToFileURL(join(root, 'bin', 'setup', 'kind.js')).href)) as {
    kindToolchainPaths(root: string): Promise<{ kind: string; kubernetesDir: string }>;
  };
  const paths = await setup.kindToolchainPaths(root);
  if (!existsSync(paths.kind) || !existsSync(join(paths.kubernetesDir, 'kubectl'))) {
    return 'the kind toolchain is not built (GAUNTLET_SETUP_KIND=0?); npm run setup builds it';
  }
  return undefined;
}

const run = async (file: string, args: string[]) => (await promisify(execFile)(file, args)).stdout;

/** The node containers of a kind cluster (running or not). */
export async function kindNodeContainers(cluster: string): Promise<string[]> {
  const out = await run('docker', ['ps', '-aq', '--filter', `label=io.x-k8s.kind.cluster=${cluster}`]);
  return out.split('\n').filter(Boolean);
}

/**
 * The IPv4 addresses of a kind cluster's node containers: the host's routes to its pods go through them,
 * on whatever network docker gave kind's (172.x on one engine, 192.168.x on another).
 */
export async function kindNodeIps(cluster: string): Promise<string[]> {
  const ids = await kindNodeContainers(cluster);
  if (ids.length === 0) return [];
  const format = '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}';
  return (await run('docker', ['inspect', '-f', format, ...ids])).split(/\s+/).filter(Boolean);
}

/** The host's routes through any of `ips` (`ip route` lines). */
export async function hostRoutesVia(ips: readonly string[]): Promise<string[]> {
  return (await run('ip', ['route']))
    .split('\n')
    .filter((line) => ips.includes(/ via (\S+)/.exec(line)?.[1] ?? ''));
}
