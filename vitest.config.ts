import { defineConfig } from 'vitest/config';
import { preciseIntegrationFiles, quietIntegrationFiles } from './test/support/lanes.js';
import SpreadSequencer from './test/support/spread-sequencer.js';

/**
 * Tests next to the code that start real processes (etcd, k6, toxiproxy, Chromium, a k6 build): they
 * belong to the integration project even though they live beside their code. A test that starts a real
 * process belongs in test/ or on this list, so that `--project unit` stays fast and needs no tools.
 */
const realProcessTests = [
  'platforms/local/network/link-proxies.test.ts',
  'deploy/grafana/dashboards.test.ts',
  'examples/ci/ci-examples.test.ts',
  'reports/render/html-report.test.ts',
  'runner/k6/k6-accuracy.test.ts',
  'runner/k6/run-k6.test.ts',
  'runner/k6/scenarios-gateway.test.ts',
  'tools/k6/ensure-k6.test.ts',
  'tools/k6/k6-build.test.ts',
];

const ignored = ['node_modules/**', 'dist/**', '.tools/**'];

// Integration tests start real etcd and real processes; forks (not threads) so that a crashed test file
// takes its children with it (they run under PR_SET_PDEATHSIG, see core/process/supervised-process.ts).
// `vitest run` without --project runs every project in four groups, one after the other: the unit files,
// then the precise integration files one at a time, the quiet ones two at a time, then the others two at a
// time (test/support/lanes.ts says which is which, and why). `npm test` (bin/test.js) runs the same four,
// one vitest run each.
const integration = ['test/**/*.test.ts', ...realProcessTests];
export default defineConfig({
  test: {
    pool: 'forks',
    // One private TMPDIR for the run, removed at its end: no test leaves its folders behind.
    globalSetup: ['test/support/private-tmpdir.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Vitest reads the sequencer from the root config only: it orders the quiet files and spreads the kind files.
    sequence: { sequencer: SpreadSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...ignored, 'test/**', ...realProcessTests],
          sequence: { groupOrder: 0 },
          // Unit tests start nothing and time nothing, so their files share a worker's module cache
          // (isolate: false) and run side by side: a third of the time of a fresh process per file.
          isolate: false,
          fileParallelism: true,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-precise',
          include: preciseIntegrationFiles,
          exclude: ignored,
          sequence: { groupOrder: 1 },
          // One file at a time: they judge the harness's own timing to tens of ms, or drive the generator so
          // hard that its schedule decides the verdict; a neighbour's burst moves either.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration-quiet',
          include: quietIntegrationFiles,
          exclude: ignored,
          sequence: { groupOrder: 2 },
          // Two files at a time: they judge latency against the SLOs, each keeping about a quarter of a
          // 2-core host busy; a shared-group neighbour is heavier (containers, clusters, static checks).
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          exclude: [...ignored, ...preciseIntegrationFiles, ...quietIntegrationFiles],
          sequence: { groupOrder: 3 },
          // Two at a time: mechanics with loosened latency bounds, mostly waiting on processes, containers
          // and clusters; on a 2-core host a third starved the other two (support/lanes.ts).
          maxWorkers: 2,
        },
      },
    ],
  },
});
