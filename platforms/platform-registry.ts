import { InvalidArgumentError } from 'commander';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import type { Platform, PlatformName } from '../core/platform/platform.js';
import type { ClusterTarget } from './cluster/cluster-platform.js';

/** What a command knows about where to run beyond the platform's name (`--context`, `--namespace`...). */
export interface PlatformOptions {
  cluster?: ClusterTarget;
}

/** A platform this build can run, or why not. */
export type PlatformEntry =
  | { available: true; create(options: PlatformOptions): Promise<Platform> }
  | { available: false; reason: string };

/**
 * One entry per platform name: the record is total over PlatformName, so a new name without an entry does
 * not compile. Adding a platform: see platforms/README.md.
 *
 * Each platform's module is imported when the platform is asked for, not with this registry: docker pulls
 * in testcontainers and kind and cluster @kubernetes/client-node, about 1.5 s of loading on 2 cores that
 * every command paid before (`gauntlet --help`, `report`, a local run) whether it used them or not.
 */
export const platformRegistry: Readonly<Record<PlatformName, PlatformEntry>> = {
  local: {
    available: true,
    create: async () => new (await import('./local/local-platform.js')).LocalPlatform(),
  },
  docker: {
    available: true,
    create: async () => new (await import('./docker/docker-platform.js')).DockerPlatform(),
  },
  kind: { available: true, create: async () => new (await import('./kind/kind-platform.js')).KindPlatform() },
  cluster: {
    available: true,
    create: async (options) =>
      new (await import('./cluster/cluster-platform.js')).ClusterPlatform(options.cluster),
  },
};

export const platformNames = Object.keys(platformRegistry) as PlatformName[];

/** For --help: the platforms this build can bring a stack up on. */
export const availablePlatformList = platformNames.filter((n) => platformRegistry[n].available).join(', ');

export function parsePlatformName(value: string): PlatformName {
  if (!(platformNames as string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${platformNames.join(', ')}`);
  }
  return value as PlatformName;
}

export async function platformFor(name: PlatformName, options: PlatformOptions = {}): Promise<Platform> {
  const entry = platformRegistry[name];
  if (entry.available) return entry.create(options);
  throw new UserFacingError(`${entry.reason}; use --platform local (see README: Platforms)`);
}

/** Every platform this build can run (what `gauntlet down` cleans up after). */
export function availablePlatforms(): Promise<Platform[]> {
  return Promise.all(
    Object.values(platformRegistry).flatMap((entry) => (entry.available ? [entry.create({})] : [])),
  );
}
