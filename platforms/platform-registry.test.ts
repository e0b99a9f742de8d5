import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import { availablePlatforms, platformFor, platformNames, platformRegistry } from './platform-registry.js';

describe('the platform registry', () => {
  it('has an entry for every platform name, and creates the local, docker and kind platforms', () => {
    expect(platformNames).toEqual(['local', 'docker', 'kind', 'cluster']);
    expect(platformFor('local').name).toBe('local');
    expect(platformFor('docker').name).toBe('docker');
    expect(platformFor('kind').name).toBe('kind');
    expect(availablePlatforms().map((p) => p.name)).toEqual(['local', 'docker', 'kind']);
  });

  it('says a platform is not available in this version instead of failing later', () => {
    expect(platformRegistry.cluster.available).toBe(false);
    expect(() => platformFor('cluster')).toThrow(UserFacingError);
    expect(() => platformFor('cluster')).toThrow(/the cluster platform is not available in this version/);
  });
});
