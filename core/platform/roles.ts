import { z } from 'zod';

/** The stack's component roles, as every platform names them. */
export const roleSchema = z.enum(['etcd', 'gateway', 'batcher', 'worker', 'load_balancer']);
export type Role = z.infer<typeof roleSchema>;

/**
 * Roles whose components serve Gauntlet's `/metrics`. etcd has its own format; the load balancer (nginx)
 * exports none, and a `/metrics` sent to it would be proxied to a gateway and counted twice.
 */
export function servesMetrics(role: Role): boolean {
  return role !== 'etcd' && role !== 'load_balancer';
}
