import { z } from 'zod';
import { ENDPOINTS } from '../../reports/model/kinds.js';
import { SLO_OPS, SLO_STATS } from '../../reports/slo/slo-schema.js';

/**
 * One service-level objective of a steady state: the reports' SLO shape (reports/slo/slo-schema.ts) for the
 * metrics chaos windows evaluate: e2e and ttft (ms, over successful requests; p99 when no stat is named) and
 * error_rate (a fraction in [0, 1], over all requests, no stat).
 */
export const CHAOS_SLO_METRICS = ['e2e', 'ttft', 'error_rate'] as const;

export const sloSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'letters, digits, "_", "." or "-", at most 100'),
    description: z.string().optional(),
    metric: z.enum(CHAOS_SLO_METRICS),
    /** Only requests of this endpoint kind (all when left out). */
    endpoint: z.enum(ENDPOINTS).optional(),
    stat: z.enum(SLO_STATS).optional(),
    op: z.enum(SLO_OPS),
    threshold: z.number().finite(),
  })
  .superRefine((slo, ctx) => {
    if (slo.metric === 'error_rate') {
      if (slo.stat !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['stat'],
          message: 'only latency metrics (e2e, ttft) take a stat',
        });
      }
      if (slo.threshold < 0 || slo.threshold > 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['threshold'],
          message: 'an error rate is a fraction in [0, 1]',
        });
      }
    } else if (slo.threshold <= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'a latency threshold is in ms and must be > 0',
      });
    }
  });

export type Slo = z.output<typeof sloSchema>;
export type SloStat = (typeof SLO_STATS)[number];

/** Either a reference to an SLO of a catalog (the reports' SLO file) by id, or the SLO itself. */
export const sloRefSchema = z.union([z.string().min(1).max(100), sloSchema]);
export type SloRef = z.output<typeof sloRefSchema>;

export function describeSlo(slo: Slo): string {
  const on = slo.endpoint ? ` (${slo.endpoint})` : '';
  if (slo.metric === 'error_rate') return `error rate ${slo.op} ${formatPercent(slo.threshold)}${on}`;
  return `${slo.metric} ${slo.stat ?? 'p99'} ${slo.op} ${slo.threshold} ms${on}`;
}

export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))} %`;
}
