/**
 * Which integration files may share the host. The integration files run in two groups, one after the other:
 *
 * - quiet: files whose verdicts judge the stack's latency against the 300 ms SLOs, or the load generator's
 *   timing (a healthy gate must pass, repro must reproduce, the damage matrix's healthy row must not fail).
 *   They run one at a time, with the host to themselves.
 * - shared: the rest, two at a time. They test mechanics (platforms, faults, teardown, CLI paths, static
 *   checks) with latency bounds loosened for a busy host, and spend most of their time waiting on processes,
 *   containers and clusters: a whole run measured 36 % CPU busy with every file alone.
 *
 * The two groups do not run side by side. Tried (2026-12-03): the quiet group beside the shared one, the
 * shared files at the idle CPU class (SCHED_IDLE) while quiet ran and the container files after it. It cut a
 * run from ~24 to ~20 min, but the quiet group's load phases keep both cores busy for seconds, the idle
 * stacks froze through them, and three of four runs failed a shared file on timing (steady state errors,
 * an expired lease, a missed recovery).
 *
 * Files that must not overlap each other inside the shared group take a test lock (support/host-lock.ts):
 * the kind files, which each bring up a cluster.
 */
export const quietIntegrationFiles = [
  'test/gate.test.ts',
  'test/repro.test.ts',
  'test/damage-matrix.test.ts',
  'test/target-openai.test.ts',
  'test/autoscale-spike.test.ts',
  'test/host-overload.test.ts',
  'test/replay.test.ts',
  'test/chaos-run-experiment.test.ts',
  'runner/k6/k6-accuracy.test.ts',
  'runner/k6/scenarios-gateway.test.ts',
];

/** Shared-group files that each bring up a kind cluster: they hold the `kind` test lock, and are spread out. */
export const kindIntegrationFiles = [
  'test/kind-platform.test.ts',
  'test/cluster-platform.test.ts',
  'test/kind-teardown.test.ts',
];
