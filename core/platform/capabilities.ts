/**
 * What a platform can do to its components. Every platform declares every capability (the record is total,
 * so a platform that forgets one does not compile), and an unsupported one says why, so a refused
 * experiment can tell the user what is missing and where.
 */
export const capabilityNames = [
  /** SIGKILL-like: the component dies at once. */
  'kill',
  /** SIGTERM-like: the component is asked to drain and stop. */
  'graceful-stop',
  /** The component stops being scheduled but keeps its connections (SIGSTOP, cgroup freezer, docker pause). */
  'freeze',
  /** Every component on a node dies (a machine lost). */
  'node-kill',
  /** Every component on a node is frozen (a machine that stops answering). */
  'node-freeze',
  /** A node is cordoned and its components rescheduled elsewhere (Kubernetes drain). */
  'node-drain',
  /** Network faults on the links between roles (latency, partition, bandwidth, reset). */
  'link-faults',
  /** Simulated GPU faults through the workers' admin endpoint. */
  'gpu-faults',
  /**
   * HTTP faults inside a pod's network namespace (delay, error answers), from xk6-disruptor's agent as an
   * ephemeral container: what a service mesh's fault injection does, without the mesh.
   */
  'pod-http-faults',
] as const;

export type Capability = (typeof capabilityNames)[number];

export type Support = { supported: true } | { supported: false; reason: string };

export type Capabilities = Readonly<Record<Capability, Support>>;

export const supported: Support = { supported: true };

export function unsupported(reason: string): Support {
  return { supported: false, reason };
}

/** The capabilities of `needed` that a platform lacks, each with its reason. */
export function missingCapabilities(
  capabilities: Capabilities,
  needed: Iterable<Capability>,
): Array<{ capability: Capability; reason: string }> {
  const out: Array<{ capability: Capability; reason: string }> = [];
  for (const capability of new Set(needed)) {
    const support = capabilities[capability];
    if (!support.supported) out.push({ capability, reason: support.reason });
  }
  return out;
}
