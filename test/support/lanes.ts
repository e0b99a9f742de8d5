/**
 * Which integration files may share the host. The integration files are in two lanes:
 *
 * - quiet: files whose verdicts judge the stack's latency against the 300 ms SLOs, or the load generator's
 *   timing (a healthy gate must pass, repro must reproduce, the damage matrix's healthy row must not fail).
 *   They run one at a time, at normal CPU priority, with no other file at that priority beside them.
 * - shared: the rest, two at a time. They test mechanics (platforms, faults, teardown, CLI paths, static
 *   checks) with latency bounds loosened for a busy host, and spend most of their time waiting on processes,
 *   containers and clusters: a whole run measured 36 % CPU busy with every file alone.
 *
 * `npm test` (bin/test.js) runs the two lanes at the same time: the shared files that run local processes at
 * the idle scheduling class while the quiet lane runs, the ones in containerIntegrationFiles after it ends
 * (support/quiet-lane-neighbour.ts). A plain `vitest run` runs them one group after the other.
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

/**
 * Shared files whose work runs in containers or kind clusters: the engine runs those at its own priority,
 * which no scheduling class of a test process reaches, so they wait for the quiet lane to end.
 */
export const containerIntegrationFiles = [
  ...kindIntegrationFiles,
  'test/docker-chaos-experiments.test.ts',
  'test/docker-cli.test.ts',
  'test/docker-images.test.ts',
  'test/docker-link-faults.test.ts',
  'test/docker-platform.test.ts',
  'test/docker-prometheus.test.ts',
  'test/gateway-kill.test.ts',
  'test/load-balancer-docker.test.ts',
  'test/prometheus-faults.test.ts',
];
