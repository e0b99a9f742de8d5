/** An HTTP fault inside pods, as xk6-disruptor's agent applies it. */
export interface PodHttpFault {
  /** The container port whose incoming traffic the agent's proxy takes over. */
  port: number;
  delayMs: number;
  /** Each delay is delayMs +- up to this much. */
  variationMs: number;
  /** Share of requests answered with errorCode instead of the service's answer. */
  errorRate: number;
  errorCode: number;
  /** Paths left alone (probes and metrics, so the kubelet does not restart what is only being slowed). */
  exclude: string[];
}

/** The ephemeral container xk6-disruptor injects into a target pod. */
export const agentContainer = 'xk6-agent';

/** The agent image the k6 build's xk6-disruptor (v0.3.17, tools/k6/go.mod) injects. */
export const agentImage = 'ghcr.io/grafana/xk6-disruptor-agent:v0.3.17';

/** Where the agent's proxy listens in the pod: not its default 8000, which is vLLM's on a100-vllm. */
export const agentProxyPort = 18_000;
