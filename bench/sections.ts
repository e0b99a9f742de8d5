import { benchCapacity } from './capacity-bench.js';
import { benchChaos } from './chaos-bench.js';
import { benchCliStartup } from './cli-bench.js';
import { benchCollectorInChild } from './collector-bench.js';
import { benchDocker } from './docker-bench.js';
import { benchEnginePath } from './engine-bench.js';
import { benchKind } from './kind-bench.js';
import { benchLoadgen, benchLoadgenAlone, benchOracleTtft } from './loadgen-bench.js';
import { benchBatchingGain, benchBringup, benchOverhead } from './stack-bench.js';

export interface BenchTarget {
  op: '<=' | '>=';
  value: number;
}

export interface BenchSection {
  name: string;
  targets: Record<string, BenchTarget>;
  run(): Promise<{ figures: Record<string, number>; details: unknown }>;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Each section names the figures the issues ask for, with their targets. */
export const benchSections: BenchSection[] = [
  {
    name: 'bringup',
    targets: { local_bringup_s: { op: '<=', value: 3 }, local_teardown_s: { op: '<=', value: 2 } },
    async run() {
      const r = await benchBringup();
      return { figures: { local_bringup_s: round(r.upS), local_teardown_s: round(r.downS) }, details: r };
    },
  },
  {
    // What every command pays before it does anything (its module graph); no target was set by an issue.
    name: 'cli',
    targets: {},
    async run() {
      const r = await benchCliStartup();
      return {
        figures: {
          cli_help_s: round(r.medianS.help ?? Number.NaN),
          cli_status_s: round(r.medianS.status ?? Number.NaN),
        },
        details: r,
      };
    },
  },
  {
    // The reference stack in front of a known-latency engine (worker.engine: openai): what it adds.
    name: 'engine',
    targets: {},
    async run() {
      const r = await benchEnginePath();
      return {
        figures: {
          engine_path_overhead_p50_ms: round(r.overheadP50Ms, 1),
          engine_path_overhead_p99_ms: round(r.overheadP99Ms, 1),
          engine_path_errors: [...r.direct, ...r.stack].reduce((n, x) => n + x.errors, 0),
        },
        details: r,
      };
    },
  },
  {
    // Needs a Docker engine (npm run setup starts one); the default topology as containers.
    name: 'docker',
    targets: {
      docker_bringup_s: { op: '<=', value: 15 },
      docker_teardown_s: { op: '<=', value: 5 },
      docker_left_after_teardown: { op: '<=', value: 0 },
    },
    async run() {
      const r = await benchDocker();
      return {
        figures: {
          docker_bringup_s: round(r.upS),
          docker_teardown_s: round(r.downS),
          docker_left_after_teardown: Math.max(...r.leftAfterDown),
        },
        details: r,
      };
    },
  },
  {
    // Needs a Docker engine and the kind toolchain (npm run setup); ~15 min: two bring-ups, a worker
    // kill, a node loss watched past Kubernetes' default 300 s toleration and one with 10 s, and the
    // same faults on the local platform for comparison.
    name: 'kind',
    targets: { kind_bringup_s: { op: '<=', value: 90 } },
    async run() {
      const r = (await benchKind()) as {
        upS: number;
        downS: number;
        kind: Record<string, Record<string, number>>;
        local: Record<string, Record<string, number>>;
      };
      const fig = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? -1 : round(x, 1));
      return {
        figures: {
          kind_bringup_s: round(r.upS, 1),
          kind_teardown_s: round(r.downS, 1),
          kind_worker_kill_ready_s: fig(r.kind.workerKill?.readyS),
          kind_worker_kill_serving_s: fig(r.kind.workerKill?.servingS),
          local_worker_kill_serving_s: fig(r.local.workerKill?.servingS),
          kind_node_loss_routed_around_s: fig(r.kind.nodeLossDefaultToleration?.routedAroundS),
          local_node_loss_routed_around_s: fig(r.local.nodeLoss?.routedAroundS),
          kind_node_notready_s: fig(r.kind.nodeLossDefaultToleration?.notReadyS),
          kind_node_pods_evicted_default_s: fig(r.kind.nodeLossDefaultToleration?.podsEvictedS),
          kind_node_pods_evicted_toleration_10s_s: fig(r.kind.nodeLossToleration10s?.podsEvictedS),
          kind_node_back_serving_s: fig(r.kind.nodeLossDefaultToleration?.servingAgainS),
        },
        details: r,
      };
    },
  },
  {
    name: 'overhead',
    targets: { stack_overhead_p99_ms: { op: '<=', value: 10 } },
    async run() {
      const r = await benchOverhead();
      return { figures: { stack_overhead_p99_ms: round(r.overheadP99Ms, 1) }, details: r };
    },
  },
  {
    name: 'batching',
    targets: { batching_gain: { op: '>=', value: 5 } },
    async run() {
      const r = await benchBatchingGain();
      return { figures: { batching_gain: round(r.gain) }, details: r };
    },
  },

  {
    name: 'collector',
    targets: {
      collector_samples_per_s: { op: '>=', value: 200_000 },
      collector_peak_rss_mb: { op: '<=', value: 300 },
    },
    async run() {
      const r = await benchCollectorInChild();
      return {
        figures: {
          collector_samples_per_s: Math.round(r.samplesPerS),
          collector_peak_rss_mb: round(r.peakRssMb, 0),
        },
        details: r.raw,
      };
    },
  },
  {
    name: 'loadgen',
    targets: {
      loadgen_rate_error: { op: '<=', value: 0.01 },
      loadgen_dropped_iterations: { op: '<=', value: 0 },
      loadgen_rate_error_fixed_latency_server: { op: '<=', value: 0.01 },
      loadgen_dropped_iterations_fixed_latency_server: { op: '<=', value: 0 },
      oracle_ttft_error_p50_ms: { op: '<=', value: 0.5 },
      oracle_ttft_error_p99_ms: { op: '<=', value: 5 },
    },
    async run() {
      // Side by side: k6 against the local stack (k6 on a CPU of its own), the same plan against a
      // fixed-latency server in the harness, which separates the generator's own accuracy from the stack,
      // and streams against the known-latency server on the other CPU (the TTFT oracle).
      const r = await benchLoadgen();
      const alone = await benchLoadgenAlone();
      const oracle = await benchOracleTtft();
      return {
        figures: {
          loadgen_rate_error: round(r.rateError, 4),
          loadgen_dropped_iterations: r.dropped,
          loadgen_rate_error_fixed_latency_server: round(alone.rateError, 4),
          loadgen_dropped_iterations_fixed_latency_server: alone.dropped,
          oracle_ttft_error_p50_ms: round(oracle.ttftErrorP50Ms),
          oracle_ttft_error_p99_ms: round(oracle.ttftErrorP99Ms),
        },
        details: { stack: r.details, fixedLatencyServer: alone.details, oracle },
      };
    },
  },
  {
    // Long (its budget: 15 minutes): the done-when capacity search, nodes=1,2 on the local platform.
    name: 'capacity',
    targets: {
      capacity_search_wall_s: { op: '<=', value: 960 },
      capacity_conclusive_topologies: { op: '>=', value: 2 },
    },
    async run() {
      const r = await benchCapacity();
      const conclusive = r.result.topologies.filter((t) => t.conclusive);
      const error = r.result.model?.validation?.errorPct;
      return {
        figures: {
          capacity_search_runs: r.runs,
          capacity_search_wall_s: round(r.wallS, 0),
          capacity_conclusive_topologies: conclusive.length,
          ...Object.fromEntries(
            r.result.topologies.map((t) => [`capacity_max_rate_nodes_${t.nodes}`, t.maxRate ?? Number.NaN]),
          ),
          ...(error !== undefined ? { capacity_model_error_pct: error } : {}),
        },
        details: { outDir: r.outDir, capacity: r.result },
      };
    },
  },
  {
    // Long (about 12 minutes): every shipped experiment on the reference stack. Figures per experiment are
    // in details; the headline figures are the targets.
    name: 'chaos',
    targets: {
      chaos_worker_kill_failed_requests: { op: '<=', value: 0 },
      chaos_worker_kill_recovery_s: { op: '<=', value: 5 },
      chaos_etcd_leader_kill_failed_requests: { op: '<=', value: 0 },
      chaos_worker_node_freeze_recovery_s: { op: '<=', value: 5 },
    },
    async run() {
      const r = (await benchChaos()) as Record<
        string,
        { faults?: Array<{ failedRequests: number; recoveredAfterMs: number | null; recovery?: string }> }
      >;
      const first = (id: string) => r[id]?.faults?.[0];
      // Time out of the SLOs: none when they held through the fault; NaN when it never came back.
      const recoveryS = (id: string) => {
        const fault = first(id);
        if (fault?.recovery === 'held') return 0;
        const ms = fault?.recoveredAfterMs;
        return ms === null || ms === undefined ? Number.NaN : round(ms / 1000, 1);
      };
      return {
        figures: {
          chaos_worker_kill_failed_requests: first('worker-kill')?.failedRequests ?? Number.NaN,
          chaos_worker_kill_recovery_s: recoveryS('worker-kill'),
          chaos_etcd_leader_kill_failed_requests: first('etcd-leader-kill')?.failedRequests ?? Number.NaN,
          chaos_worker_node_freeze_recovery_s: recoveryS('worker-node-freeze'),
        },
        details: r,
      };
    },
  },
];
