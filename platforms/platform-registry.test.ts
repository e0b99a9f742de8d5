import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import { availablePlatforms, platformFor, platformNames, platformRegistry } from './platform-registry.js';

describe('the platform registry', () => {
  it('has an entry for every platform name, and creates the local and docker platforms', () => {
    expect(platformNames).toEqual(['local', 'docker', 'kind', 'cluster']);
    expect(platformFor('local').name).toBe('local');
    expect(platformFor('docker').name).toBe('docker');
    expect(availablePlatforms().map((p) => p.name)).toEqual(['local', 'docker']);
  });

  it('says a platform is not available in this version instead of failing later', () => {
    expect(platformRegistry.kind.available).toBe(false);
    expect(() => platformFor('kind')).toThrow(UserFacingError);
    expect(() => platformFor('kind')).toThrow(/the kind platform is not available in this version/);
  });
});
