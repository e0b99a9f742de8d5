/**
 * Which integration files may share the host. The integration files run in three groups, one after the other:
 *
 * - precise: files that judge the harness's own timing to tens of milliseconds (the load generator's arrival
 *   times against a known-latency server, a trace replay's send times, the chaos runner's fault schedule),
 *   or drive the generator so hard that its schedule decides the verdict (150 req/s at an OpenAI-compatible
 *   server, where any send over 100 ms late makes the latency verdicts inconclusive). One at a time, with
 *   the host to themselves: a neighbour's burst delays their timers by as much as they judge (beside another
 *   file, a fault was injected 308 ms after its due time against a 150 ms bound, and the 150 req/s run
 *   lagged 126 ms once and was, rightly, inconclusive).
 * - quiet: files whose verdicts judge the stack's latency against the 300 ms SLOs (a healthy gate must pass,
 *   repro must reproduce, the damage matrix's healthy row must not fail). Two at a time: under load each
 *   keeps about a quarter of a 2-core host busy (measured: 0.45 cores at 20 req/s for stack and k6), and
 *   their latency is mostly the simulated GPU's, which a neighbour of that size does not move.
 * - shared: the rest, two at a time. They test mechanics (platforms, faults, teardown, CLI paths, static
 *   checks) with latency bounds loosened for a busy host, and spend much of their time waiting on
 *   processes, containers and clusters.
 *
 * Tried and taken back (2026-12-03): the quiet group beside the shared one, the shared files at the idle CPU
 * class (SCHED_IDLE): the quiet group's load phases keep both cores busy for seconds, the idle stacks froze
 * through them, and three of four runs failed a shared file on timing. The shared group three at a time:
 * the host sat at 96-99 % busy with a load average up to 17, and a kind stack's p99 reached 0.5-0.9 s
 * (worker-kill stalled two requests past 3 s; the disruptor's steady state went unshown).
 *
 * Files that must not overlap each other inside the shared group take a test lock (support/host-lock.ts):
 * the kind files, which each bring up a cluster.
 */
export const preciseIntegrationFiles = [
  'runner/k6/k6-accuracy.test.ts',
  'test/replay.test.ts',
  'test/chaos-run-experiment.test.ts',
  'test/target-openai.test.ts',
];

/**
 * Longest first, as measured in a CI run (seconds): the sequencer keeps this order, so the two workers end
 * close together (vitest's own order on a clean clone is by file size, which left one worker 50 s alone).
 */
export const quietIntegrationFiles = [
  'test/damage-matrix.test.ts', // 286
  'test/repro.test.ts', // 172
  'test/gate.test.ts', // 139
  'test/autoscale-spike.test.ts', // 49
  'test/host-overload.test.ts', // 39
  'runner/k6/scenarios-gateway.test.ts', // 6
];

/** Shared-group files that each bring up a kind cluster: they hold the `kind` test lock, and are spread out. */
export const kindIntegrationFiles = [
  'test/kind-platform.test.ts',
  'test/cluster-platform.test.ts',
  'test/kind-teardown.test.ts',
];
