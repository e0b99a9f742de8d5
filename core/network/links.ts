import { z } from 'zod';

/** Links between roles that a platform can put a fault proxy on; a fault's target picks the destination. */
export const linkSchema = z.enum(['gateway->batcher', 'batcher->worker', 'any->etcd']);
/** upstream: requests towards the target; downstream: its answers. */
export const directionSchema = z.enum(['upstream', 'downstream', 'both']);

export type LinkName = z.infer<typeof linkSchema>;
export type LinkDirection = z.infer<typeof directionSchema>;
