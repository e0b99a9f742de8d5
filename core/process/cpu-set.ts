import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** CPU numbers, as the kernel's affinity lists count them. */
export type CpuSet = readonly number[];

/** "0-3,6" -> [0, 1, 2, 3, 6]; the kernel's list format (taskset -c, Cpus_allowed_list, cpuset.cpus). */
export function parseCpuList(text: string): number[] {
  const cpus = new Set<number>();
  for (const part of text.trim().split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) throw new RangeError(`'${text}' is not a CPU list (e.g. 0-3,6)`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) throw new RangeError(`'${part}' in '${text}' is a descending range`);
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** [0, 1, 2, 3, 6] -> "0-3,6". */
export function formatCpuList(cpus: CpuSet): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}

/** The CPUs this process may run on (its cgroup's cpuset and affinity), not just how many the host has. */
export function allowedCpus(statusFile = '/proc/self/status'): number[] {
  try {
    const line = readFileSync(statusFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Cpus_allowed_list:'));
    if (line) return parseCpuList(line.slice('Cpus_allowed_list:'.length));
  } catch {
    // Not Linux: fall back to the count below.
  }
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

/** --cpu-split: share every CPU, split them automatically, or name both sets ("3:0-2" = loadgen:stack). */
export type CpuSplitPolicy =
  | { kind: 'auto' }
  | { kind: 'off' }
  | { kind: 'explicit'; loadgen: CpuSet; stack: CpuSet };

/** Where the load generator and the stack run; undefined sets mean "anywhere". */
export interface CpuSplit {
  loadgen: CpuSet | undefined;
  stack: CpuSet | undefined;
  /** One sentence for the run record: what was done and why. */
  note: string;
}

/** Below this many CPUs, `auto` shares them: one CPU for a whole simulated stack starves it. */
export const autoSplitMinCpus = 4;

export function parseCpuSplit(value: string): CpuSplitPolicy {
  if (value === 'auto' || value === 'off') return { kind: value };
  const [loadgen, stack, ...rest] = value.split(':');
  if (loadgen === undefined || stack === undefined || rest.length > 0) {
    throw new RangeError(`'${value}' must be auto, off or LOADGEN:STACK CPU lists (e.g. 3:0-2)`);
  }
  return { kind: 'explicit', loadgen: parseCpuList(loadgen), stack: parseCpuList(stack) };
}

/**
 * Decides which CPUs the load generator and the stack get. A generator that shares CPUs with the stack it
 * measures is delayed by the stack's own work (and the reverse), so separate sets make both timings honest;
 * on a small host, separating leaves the stack too few CPUs, so `auto` shares and says so.
 */
export function planCpuSplit(allowed: CpuSet, policy: CpuSplitPolicy): CpuSplit {
  const list = formatCpuList(allowed);
  switch (policy.kind) {
    case 'off':
      return {
        loadgen: undefined,
        stack: undefined,
        note: `generator and stack share CPUs ${list} (--cpu-split off)`,
      };
    case 'explicit': {
      const outside = [...policy.loadgen, ...policy.stack].filter((cpu) => !allowed.includes(cpu));
      if (outside.length > 0) {
        throw new RangeError(
          `CPU ${formatCpuList(outside)} is not available to this process (allowed: ${list})`,
        );
      }
      const shared = policy.loadgen.filter((cpu) => policy.stack.includes(cpu));
      return {
        loadgen: policy.loadgen,
        stack: policy.stack,
        note:
          `generator on CPUs ${formatCpuList(policy.loadgen)}, stack on ${formatCpuList(policy.stack)}` +
          (shared.length > 0 ? ` (CPU ${formatCpuList(shared)} shared)` : ''),
      };
    }
    case 'auto': {
      if (allowed.length < autoSplitMinCpus) {
        return {
          loadgen: undefined,
          stack: undefined,
          note:
            `generator and stack share CPUs ${list}: with fewer than ${autoSplitMinCpus} CPUs a split starves ` +
            'the stack (--cpu-split LOADGEN:STACK separates them anyway)',
        };
      }
      // A k6 process holds ~1,000 req/s on one CPU; a quarter of the host, at least one, is plenty.
      const loadgenCount = Math.max(1, Math.round(allowed.length / 4));
      const loadgen = allowed.slice(allowed.length - loadgenCount);
      const stack = allowed.slice(0, allowed.length - loadgenCount);
      return {
        loadgen,
        stack,
        note: `generator on CPUs ${formatCpuList(loadgen)}, stack on ${formatCpuList(stack)} (--cpu-split auto)`,
      };
    }
  }
}
