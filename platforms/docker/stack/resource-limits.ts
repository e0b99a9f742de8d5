/**
 * The seed's `resource_limits` (Kubernetes-style quantities, per worker replica) as Docker limits:
 * `cpu: "1.5"`, `2` or `"500m"` -> NanoCpus; `memory: "16Gi"`, `"512Mi"`, `"1G"` or bytes -> Memory.
 * Docker refuses a CPU limit above the machine's CPUs, so it is capped there (and the cap is reported).
 */
export interface DockerLimits {
  nanoCpus?: number;
  memoryBytes?: number;
  /** Set when the CPU limit was capped to the machine. */
  cappedCpus?: number;
}

export class ResourceLimitError extends Error {
  override readonly name = 'ResourceLimitError';
}

const memoryUnits: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

export function parseCpu(value: string | number): number {
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(text);
  const cpus = match ? Number(match[1]) / (match[2] === 'm' ? 1000 : 1) : Number.NaN;
  if (!Number.isFinite(cpus) || cpus <= 0) {
    throw new ResourceLimitError(
      `resource_limits.cpu: must be a positive number of CPUs ("2", 1.5) or millicores ("500m") (got "${text}")`,
    );
  }
  return cpus;
}

export function parseMemory(value: string): number {
  const text = value.trim();
  const match = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(text);
  const bytes = match ? Number(match[1]) * (memoryUnits[match[2] ?? ''] ?? Number.NaN) : Number.NaN;
  // Docker's own floor is 6 MiB; a Node service needs far more, but that is the service's business.
  if (!Number.isFinite(bytes) || bytes < 6 * 2 ** 20) {
    throw new ResourceLimitError(
      `resource_limits.memory: must be a quantity of at least 6Mi such as "512Mi", "16Gi" or "1G" (got "${text}")`,
    );
  }
  return Math.floor(bytes);
}

export function dockerLimits(
  limits: { cpu?: string | number | undefined; memory?: string | undefined },
  machineCpus: number,
): DockerLimits {
  const out: DockerLimits = {};
  if (limits.cpu !== undefined) {
    const cpus = parseCpu(limits.cpu);
    const granted = Math.min(cpus, machineCpus);
    out.nanoCpus = Math.round(granted * 1e9);
    if (granted < cpus) out.cappedCpus = granted;
  }
  if (limits.memory !== undefined) out.memoryBytes = parseMemory(limits.memory);
  return out;
}
