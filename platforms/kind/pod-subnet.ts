import { command } from './command.js';

/** The /16 pod networks kind clusters of Gauntlet use, one per cluster alive at a time. */
const candidates = Array.from({ length: 16 }, (_, i) => `10.${240 + i}.0.0/16`);

/**
 * A pod network no route of this host uses yet: the host routes to each cluster's pods, so two clusters
 * (a test and a run) must not share one.
 */
export async function freePodSubnet(): Promise<string> {
  const routes = await command('ip', ['route', 'show'], { timeoutMs: 10_000 });
  return pickFreeSubnet(routes);
}

export function pickFreeSubnet(routes: string): string {
  const used = new Set(
    routes
      .split('\n')
      .map((line) => /^10\.(\d+)\./.exec(line.trim())?.[1])
      .filter((octet): octet is string => octet !== undefined),
  );
  const free = candidates.find((cidr) => !used.has(cidr.split('.')[1] ?? ''));
  if (!free) throw new Error(`no free pod network: ${candidates[0]} … ${candidates.at(-1)} are all routed`);
  return free;
}
