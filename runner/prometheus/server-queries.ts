/**
 * The server-side series a report charts, as PromQL over a run's components. Each query prefers the
 * reference stack's metric and falls back to the names real engines export (vLLM's `vllm:*`, DCGM's GPU
 * utilisation, kube-state-metrics' replicas), so the same report works against a cluster's own Prometheus.
 * `{sel}` is replaced by the run's label selector (e.g. `gauntlet_run="r1"`, or a namespace on a cluster).
 */
export interface ServerQuery {
  component: string;
  gauge: string;
  unit: string;
  promql: string;
}

export const serverQueries: readonly ServerQuery[] = [
  {
    component: 'batchers',
    gauge: 'queue_depth',
    unit: 'requests',
    promql: 'sum(gauntlet_batcher_queue_depth{sel}) or sum(vllm:num_requests_waiting{sel})',
  },
  {
    component: 'batchers',
    gauge: 'batch_size_mean',
    unit: 'requests',
    promql:
      'sum(rate(gauntlet_batcher_batch_size_sum{sel}[5s])) / sum(rate(gauntlet_batcher_batch_size_count{sel}[5s]))',
  },
  {
    component: 'workers',
    gauge: 'running_sequences',
    unit: 'sequences',
    promql: 'sum(gauntlet_worker_running_sequences{sel}) or sum(vllm:num_requests_running{sel})',
  },
  {
    component: 'workers',
    gauge: 'waiting_sequences',
    unit: 'sequences',
    promql: 'sum(gauntlet_worker_waiting_sequences{sel})',
  },
  {
    component: 'workers',
    gauge: 'kv_cache_usage',
    unit: 'ratio',
    promql: 'max(gauntlet_worker_kv_cache_usage_ratio{sel}) or max(vllm:gpu_cache_usage_perc{sel})',
  },
  {
    component: 'workers',
    gauge: 'gpu_utilization',
    unit: 'percent',
    promql: 'avg(DCGM_FI_DEV_GPU_UTIL{sel})',
  },
  {
    component: 'batchers',
    gauge: 'live_workers',
    unit: 'workers',
    promql: 'max(gauntlet_batcher_live_workers{sel})',
  },
  {
    component: 'gateway',
    gauge: 'inflight_requests',
    unit: 'requests',
    promql: 'sum(gauntlet_gateway_inflight_requests{sel})',
  },
  {
    component: 'workers',
    gauge: 'replicas',
    unit: 'replicas',
    promql: 'count(up{role="worker",sel} == 1) or sum(kube_deployment_status_replicas_available{sel})',
  },
  {
    component: 'batchers',
    gauge: 'replicas',
    unit: 'replicas',
    promql: 'count(up{role="batcher",sel} == 1)',
  },
];

/** Puts the run's selector into a query: `name{sel}` -> `name{a="b"}`, `{role="x",sel}` -> `{role="x",a="b"}`. */
export function withSelector(promql: string, selector: string): string {
  return promql.replaceAll(',sel}', selector ? `,${selector}}` : '}').replaceAll('{sel}', `{${selector}}`);
}
