import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadClusterConfig } from './load-cluster-config.js';

it('the documented default config file equals the built-in defaults', () => {
  const documented = loadClusterConfig(join(import.meta.dirname, 'default-cluster.yaml'));
  expect(documented).toEqual(loadClusterConfig());
});
