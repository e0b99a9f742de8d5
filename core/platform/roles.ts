import { z } from 'zod';

/** The stack's component roles, as every platform names them. */
export const roleSchema = z.enum(['etcd', 'gateway', 'batcher', 'worker']);
export type Role = z.infer<typeof roleSchema>;
