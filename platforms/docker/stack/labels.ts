import type { Role } from '../../../core/platform/roles.js';

/**
 * Labels on everything a docker run creates (containers, its network, volumes). Cleanup selects by them, so
 * it works from any process, also after the one that started the run crashed.
 */
export const labelKeys = {
  run: 'dev.gauntlet.run',
  role: 'dev.gauntlet.role',
  node: 'dev.gauntlet.node',
  id: 'dev.gauntlet.id',
  /** A run's container that is no stack component (the toxiproxy of network faults). */
  helper: 'dev.gauntlet.helper',
} as const;

export function runLabels(runId: string): Record<string, string> {
  return { [labelKeys.run]: runId };
}

export function componentLabels(runId: string, role: Role, node: string, id: string): Record<string, string> {
  return { [labelKeys.run]: runId, [labelKeys.role]: role, [labelKeys.node]: node, [labelKeys.id]: id };
}
