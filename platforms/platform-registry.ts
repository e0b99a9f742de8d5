import { InvalidArgumentError } from 'commander';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import type { Platform, PlatformName } from '../core/platform/platform.js';
import { ClusterPlatform, type ClusterTarget } from './cluster/cluster-platform.js';
import { DockerPlatform } from './docker/docker-platform.js';
import { KindPlatform } from './kind/kind-platform.js';
import { LocalPlatform } from './local/local-platform.js';

/** What a command knows about where to run beyond the platform's name (`--context`, `--namespace`...). */
export interface PlatformOptions {
  cluster?: ClusterTarget;
}

/** A platform this build can run, or why not. */
export type PlatformEntry =
  | { available: true; create(options: PlatformOptions): Platform }
  | { available: false; reason: string };

/**
 * One entry per platform name: the record is total over PlatformName, so a new name without an entry does
 * not compile. Adding a platform: see platforms/README.md.
 */
export const platformRegistry: Readonly<Record<PlatformName, PlatformEntry>> = {
  local: { available: true, create: () => new LocalPlatform() },
  docker: { available: true, create: () => new DockerPlatform() },
  kind: { available: true, create: () => new KindPlatform() },
  cluster: { available: true, create: (options) => new ClusterPlatform(options.cluster) },
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

export function platformFor(name: PlatformName, options: PlatformOptions = {}): Platform {
  const entry = platformRegistry[name];
  if (entry.available) return entry.create(options);
  throw new UserFacingError(`${entry.reason}; use --platform local (see README: Platforms)`);
}

/** Every platform this build can run (what `gauntlet down` cleans up after). */
export function availablePlatforms(): Platform[] {
  return Object.values(platformRegistry).flatMap((entry) => (entry.available ? [entry.create({})] : []));
}
