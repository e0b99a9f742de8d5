import { defineConfig } from 'vitest/config';

// Integration tests start real etcd and real processes; forks (not threads) so that a crashed test file
// takes its children with it (they run under PR_SET_PDEATHSIG, see core/process/supervised-process.ts).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.tools/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
