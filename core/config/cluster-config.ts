import { z } from 'zod';

/**
 * The one config file for a Gauntlet stack: topology plus every service's settings.
 * A superset of the Open-AutoGLM seed's `config-cluster.yaml` (cluster_name, worker_replicas, model_path,
 * resource_limits). Every field has a default, so an empty file is a valid (default) stack.
 */

const positiveInt = (max: number) => z.number().int().min(1).max(max);

export const latencyModelSchema = z.strictObject({
  /** Decode step at batch 1, ms: weight streaming floor at ~70 % of A100-80GB SXM bandwidth. */
  decode_base_ms: z.number().min(0).max(10_000).default(13.2),
  /** Extra decode ms per running sequence (compute grows with batch). */
  decode_per_seq_ms: z.number().min(0).max(1_000).default(0.042),
  /** Extra decode ms per running sequence per 1,000 tokens of its context (KV reads). */
  decode_per_seq_per_kctx_ms: z.number().min(0).max(1_000).default(0.028),
  /** Prefill: fixed ms per prefill pass. */
  prefill_base_ms: z.number().min(0).max(10_000).default(10),
  /** Prefill: ms per prompt token. */
  prefill_per_token_ms: z.number().min(0).max(1_000).default(0.09),
  /** Prefill: ms per prompt token squared (attention). */
  prefill_per_token_sq_ms: z.number().min(0).max(1).default(1.6e-6),
  /** Tensor-parallel speed-up factor applied to both phases when tensor_parallel > 1 (NVLink TP2). */
  tensor_parallel_factor: z.number().min(0.1).max(1).default(0.7),
});

/**
 * What answers a worker's batches: the simulated A100 (the default), or an OpenAI-compatible engine (vLLM,
 * SGLang) beside the worker, typically in the same pod, which the worker fronts while keeping the batcher
 * protocol, so the reference gateway and batcher can front real GPUs (stack/worker/engine/README.md).
 */
export const engineSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sim') }),
  z.strictObject({
    kind: z.literal('openai'),
    /** The engine's base URL, without /v1: `http://127.0.0.1:8000` for vLLM in the same pod. */
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
    /** The model name the engine serves (vLLM's --served-model-name); checked against its /v1/models. */
    model: z.string().min(1).max(500),
    /** Name of an environment variable holding the engine's API key: the key itself never sits in a config. */
    api_key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')
      .optional(),
    /**
     * Ask for exactly max_tokens tokens (vLLM's and SGLang's ignore_eos), as load tests do, so that output
     * length is the scenario's and not the model's whim.
     */
    ignore_eos: z.boolean().default(true),
    /** How long the worker waits at start for the engine to serve the model (weights load for minutes). */
    startup_timeout_s: z.number().int().min(1).max(7_200).default(900),
  }),
]);

export type EngineConfig = z.output<typeof engineSchema>;

export const workerSchema = z.strictObject({
  gpu: z.enum(['a100-80gb-sxm', 'a100-80gb-pcie', 'a100-40gb']).default('a100-80gb-sxm'),
  tensor_parallel: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Most sequences decoding at once on one worker (vLLM's max_num_seqs). */
  max_running_seqs: positiveInt(4096).default(256),
  /**
   * Prefill waiting prompts inside decode steps (vLLM V1's chunked prefill, SGLang's mixed batches) instead of
   * pausing every running sequence for a separate prefill pass (vLLM V0's default).
   */
  mixed_batching: z.boolean().default(true),
  /** Most tokens a step processes (vLLM's max_num_batched_tokens). */
  max_prefill_tokens: positiveInt(1_000_000).default(8192),
  /** KV-cache capacity in tokens: GLM-4-9B at 40 KiB/token in ~51 GiB (A100-80GB, 0.9 memory use). */
  kv_cache_tokens: positiveInt(100_000_000).default(1_300_000),
  /** Multiplies every step: 1 is a healthy GPU; the knob a release gate's planted regression turns. */
  slowdown: z.number().min(1).max(1000).default(1),
  /**
   * Automatic prefix caching (vLLM APC, SGLang's radix cache): prompt blocks whose KV was computed before
   * skip their prefill. vLLM keeps cached blocks in the free part of the KV pool; here the cache has its own
   * bound, in tokens, evicted least recently used first.
   */
  prefix_cache: z
    .strictObject({
      enabled: z.boolean().default(true),
      capacity_tokens: z.number().int().min(0).max(100_000_000).default(262_144),
    })
    .default({ enabled: true, capacity_tokens: 262_144 }),
  latency: latencyModelSchema.default(latencyModelSchema.parse({})),
  engine: engineSchema.default({ kind: 'sim' }),
});

export const batcherSchema = z.strictObject({
  replicas: positiveInt(64).default(2),
  /** Most requests in one batch, and most sequences this batcher keeps in flight on one worker. */
  max_batch_size: positiveInt(1024).default(32),
  /** How long the oldest queued request may wait for a batch to fill. */
  max_batch_delay_ms: z.number().min(0).max(10_000).default(5),
  /** Queue bound; a full queue answers 429 with Retry-After (the seed's peak-shaving queue). */
  max_queue: positiveInt(1_000_000).default(2048),
  redispatch: z
    .strictObject({
      enabled: z.boolean().default(true),
      max_attempts: positiveInt(10).default(3),
      /**
       * Request migration: a stream whose worker fails after its first token continues on another worker
       * from the last delivered token (deterministic tokens make the continuation exact) instead of being cut.
       */
      resume_streams: z.boolean().default(true),
    })
    .default({ enabled: true, max_attempts: 3, resume_streams: true }),
  /** A worker that sends no first token within this time is treated as failed for that batch. */
  first_token_timeout_ms: positiveInt(600_000).default(10_000),
  /** Consecutive dispatch failures before a worker is taken out of rotation for eject_ms. */
  worker_eject_after_failures: positiveInt(100).default(1),
  worker_eject_ms: positiveInt(600_000).default(5_000),
  /**
   * The seed's autoscaler (an HPA on the batchers): `replicas` is then the most batchers; the run keeps
   * between `min_replicas` and that many serving, scaled by the queue each one holds.
   */
  autoscale: z
    .strictObject({
      enabled: z.boolean().default(false),
      min_replicas: positiveInt(64).default(1),
      /** Queued requests per serving batcher the autoscaler aims at (HPA's target average value). */
      target_queue_per_replica: z.number().min(0.1).max(1_000_000).default(8),
      /** How long a lower recommendation must hold before scaling in (HPA's scale-down stabilization). */
      scale_in_after_s: z.number().min(0).max(3_600).default(20),
      /** How often the queue is read and a decision taken. */
      interval_ms: positiveInt(60_000).default(1_000),
    })
    .default({
      enabled: false,
      min_replicas: 1,
      target_queue_per_replica: 8,
      scale_in_after_s: 20,
      interval_ms: 1_000,
    }),
});

export const gatewaySchema = z.strictObject({
  /** More than one needs `load_balancer.enabled`: clients reach the gateways through nginx. */
  replicas: positiveInt(16).default(1),
  /** Bearer keys; when empty the harness generates one per run and prints it. */
  api_keys: z.array(z.string().min(8).max(200)).max(100).default([]),
  max_body_bytes: positiveInt(64 * 1024 * 1024).default(1024 * 1024),
  max_tokens_limit: positiveInt(131_072).default(4096),
  default_max_tokens: positiveInt(131_072).default(16),
  batcher_eject_after_failures: positiveInt(100).default(3),
  batcher_eject_ms: positiveInt(600_000).default(5_000),
  request_timeout_ms: positiveInt(3_600_000).default(60_000),
});

/**
 * The seed's nginx in front of the gateways, as its `upstream` block: a balancing method, a weight per
 * gateway, backup servers, and nginx's passive health checks (`max_fails` failed attempts within
 * `fail_timeout` take a gateway out of rotation for `fail_timeout`). Off by default.
 */
export const loadBalancerSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** nginx's `least_conn`, or its default weighted round robin. */
  method: z.enum(['least_conn', 'round_robin']).default('least_conn'),
  /** One weight per gateway (gateway-0 first); empty: 1 each. */
  weights: z.array(positiveInt(1000)).max(16).default([]),
  /** How many of the last gateways are `backup` servers, used only while every other one is down. */
  backup: z.number().int().min(0).max(15).default(0),
  /** Failed attempts within fail_timeout_s that mark a gateway down; 0 turns the accounting off. */
  max_fails: z.number().int().min(0).max(100).default(1),
  /** The window for max_fails, and how long a gateway then stays out of rotation. */
  fail_timeout_s: positiveInt(3600).default(10),
  /** Retry an attempt that failed (error, timeout, 502, 503) on the next gateway; off: the client sees it. */
  proxy_next_upstream: z.boolean().default(true),
  /** Also retry POSTs that had already been sent (nginx's `non_idempotent`): inference has no side effects. */
  retry_sent_requests: z.boolean().default(false),
  /** nginx's proxy_connect_timeout: how long an attempt may take to connect to a gateway. */
  connect_timeout_ms: positiveInt(60_000).default(1_000),
});

export const etcdSchema = z.strictObject({
  members: z.union([z.literal(1), z.literal(3)]).default(3),
  lease_ttl_s: positiveInt(60).default(3),
});

/**
 * Planted damage for verdict testing (stack/README.md, "Defect switches"): each switch breaks the reference
 * stack in one known way, so a test can check that the chaos experiment it damages fails. All off by default;
 * never set them for a real run.
 */
export const defectsSchema = z.strictObject({
  /** Once a worker process is a restart, it accepts this share of its sequences and never answers them. */
  worker_never_answers_share: z.number().min(0).max(1).default(0),
  /** Once a GPU fault was set and cleared through the admin API, the worker runs this many times slower. */
  worker_slowdown_after_fault: z.number().min(1).max(1000).default(1),
  /** Batchers never eject a worker: a dead one stays in rotation until its etcd lease expires. */
  batcher_ejection_disabled: z.boolean().default(false),
  /** Once a worker this batcher had lost registers again, this share of its answers fail (not retried). */
  batcher_fail_share_after_return: z.number().min(0).max(1).default(0),
});

export const nodeSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/,
      'a lowercase DNS label (a-z, 0-9, -), at most 42 characters',
    ),
  gpus: positiveInt(16).default(2),
});

export const clusterConfigSchema = z
  .strictObject({
    cluster_name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?$/, 'a lowercase DNS label (a-z, 0-9, -)')
      .default('gauntlet'),
    model_name: z.string().min(1).max(200).default('glm-4-9b-chat'),
    model_path: z.string().min(1).max(4096).default('/models/glm-4-9b-chat'),
    /** Seed field: total workers. When given with `nodes`, it must match their GPU count. */
    worker_replicas: positiveInt(1024).optional(),
    /** Seed field; `gpu` is GPUs per worker node when `nodes` is not given. */
    resource_limits: z
      .strictObject({
        cpu: z.union([z.string(), z.number()]).optional(),
        memory: z.string().optional(),
        gpu: positiveInt(16).default(2),
      })
      .default({ gpu: 2 }),
    nodes: z.array(nodeSchema).min(1).max(256).optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(42),
    etcd: etcdSchema.default(etcdSchema.parse({})),
    gateway: gatewaySchema.default(gatewaySchema.parse({})),
    load_balancer: loadBalancerSchema.default(loadBalancerSchema.parse({})),
    batchers: batcherSchema.default(batcherSchema.parse({})),
    worker: workerSchema.default(workerSchema.parse({})),
    defects: defectsSchema.default(defectsSchema.parse({})),
  })
  .superRefine((config, ctx) => {
    const { autoscale, replicas } = config.batchers;
    if (autoscale.enabled && autoscale.min_replicas > replicas) {
      ctx.addIssue({
        code: 'custom',
        path: ['batchers', 'autoscale', 'min_replicas'],
        message: `must be at most batchers.replicas (${replicas}), the most batchers the autoscaler may run`,
      });
    }
    for (const issue of loadBalancerIssues(config.gateway.replicas, config.load_balancer))
      ctx.addIssue(issue);
    if (config.nodes) {
      const names = new Set<string>();
      config.nodes.forEach((node, index) => {
        if (names.has(node.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['nodes', index, 'name'],
            message: `duplicate node name "${node.name}"`,
          });
        }
        names.add(node.name);
      });
      const gpus = config.nodes.reduce((sum, node) => sum + node.gpus, 0);
      if (config.worker_replicas !== undefined && config.worker_replicas !== gpus) {
        ctx.addIssue({
          code: 'custom',
          path: ['worker_replicas'],
          message: `must equal the GPUs of all nodes (${gpus}), one worker per GPU; or leave it out`,
        });
      }
    }
  });

/** Where the gateway count and the load balancer disagree, each issue at the field to change. */
function loadBalancerIssues(
  gateways: number,
  lb: z.output<typeof loadBalancerSchema>,
): Array<{ code: 'custom'; path: (string | number)[]; message: string }> {
  const issue = (path: (string | number)[], message: string) => ({ code: 'custom' as const, path, message });
  if (!lb.enabled) {
    return gateways > 1
      ? [
          issue(
            ['gateway', 'replicas'],
            `more than 1 gateway needs load_balancer.enabled: true; clients reach them through nginx`,
          ),
        ]
      : [];
  }
  const issues = [];
  if (gateways < 2) {
    issues.push(
      issue(
        ['load_balancer', 'enabled'],
        `needs gateway.replicas >= 2 to balance between (gateway.replicas is ${gateways})`,
      ),
    );
  }
  if (lb.weights.length > 0 && lb.weights.length !== gateways) {
    issues.push(
      issue(
        ['load_balancer', 'weights'],
        `one weight per gateway: ${gateways} (gateway.replicas), not ${lb.weights.length}; or leave it empty`,
      ),
    );
  }
  if (lb.backup >= gateways && gateways >= 2) {
    issues.push(
      issue(
        ['load_balancer', 'backup'],
        `must be < gateway.replicas (${gateways}): at least one gateway takes traffic`,
      ),
    );
  }
  return issues;
}

export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
type ParsedClusterConfig = z.output<typeof clusterConfigSchema>;
export type LatencyModelConfig = z.output<typeof latencyModelSchema>;
export type WorkerConfig = z.output<typeof workerSchema>;
export type BatcherConfig = z.output<typeof batcherSchema>;
export type GatewayConfig = z.output<typeof gatewaySchema>;
export type LoadBalancerConfig = z.output<typeof loadBalancerSchema>;
export type NodeConfig = z.output<typeof nodeSchema>;
export type DefectsConfig = z.output<typeof defectsSchema>;

/** The validated config with the topology resolved: `nodes` always present, `worker_replicas` derived. */
export type ClusterConfig = Omit<ParsedClusterConfig, 'nodes' | 'worker_replicas'> & {
  nodes: NodeConfig[];
  worker_replicas: number;
};

export function resolveTopology(parsed: ParsedClusterConfig): ClusterConfig {
  const perNode = parsed.resource_limits.gpu;
  let nodes = parsed.nodes;
  if (!nodes) {
    const workers = parsed.worker_replicas ?? 2 * perNode;
    const count = Math.ceil(workers / perNode);
    nodes = Array.from({ length: count }, (_, i) => ({
      name: `node-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? Math.floor(i / 26) : ''}`,
      gpus: i === count - 1 ? workers - perNode * (count - 1) : perNode,
    }));
  }
  const worker_replicas = nodes.reduce((sum, node) => sum + node.gpus, 0);
  return { ...parsed, nodes, worker_replicas };
}
