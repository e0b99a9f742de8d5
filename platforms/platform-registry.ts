import { InvalidArgumentError } from 'commander';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import type { Platform, PlatformName } from '../core/platform/platform.js';
import { DockerPlatform } from './docker/docker-platform.js';
import { LocalPlatform } from './local/local-platform.js';

export const platformNames: PlatformName[] = ['local', 'docker', 'kind', 'cluster'];

export function parsePlatformName(value: string): PlatformName {
  if (!(platformNames as string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${platformNames.join(', ')}`);
  }
  return value as PlatformName;
}

export function platformFor(name: PlatformName): Platform {
  if (name === 'local') return new LocalPlatform();
  if (name === 'docker') return new DockerPlatform();
  throw new UserFacingError(
    `the ${name} platform is not available in this version; use --platform local (see README: Platforms)`,
  );
}
