import { describe, expect, it } from 'vitest';
import { availablePlatforms, platformFor, platformNames } from './platform-registry.js';

describe('the platform registry', () => {
  it('has an entry for every platform name, and creates each platform', async () => {
    expect(platformNames).toEqual(['local', 'docker', 'kind', 'cluster']);
    for (const name of platformNames) expect((await platformFor(name)).name).toBe(name);
    expect((await availablePlatforms()).map((p) => p.name)).toEqual(['local', 'docker', 'kind', 'cluster']);
  });

  it('a cluster platform without --context and --namespace says what it needs before touching anything', async () => {
    await expect((await platformFor('cluster')).blastBudget?.()).rejects.toThrow(
      /--platform cluster needs --context NAME .* and --namespace N/,
    );
  });
});
