import { z } from 'zod';
import { ENDPOINTS } from '../model/kinds.js';

export const LATENCY_SLO_METRICS = ['e2e', 'ttft', 'itl', 'tpot'] as const;
export const SLO_METRICS = [...LATENCY_SLO_METRICS, 'error_rate', 'achieved_rate', 'goodput'] as const;
export const SLO_STATS = ['p50', 'p90', 'p95', 'p99', 'p99.9', 'mean'] as const;
export const SLO_OPS = ['<', '<=', '>', '>='] as const;

export type SloMetric = (typeof SLO_METRICS)[number];
export type SloStat = (typeof SLO_STATS)[number];
export type SloOp = (typeof SLO_OPS)[number];

/** The quantile of a percentile stat. */
export const STAT_QUANTILE: Record<Exclude<SloStat, 'mean'>, number> = {
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  'p99.9': 0.999,
};

/** What a latency SLO uses when it names no stat. */
export const DEFAULT_LATENCY_STAT: SloStat = 'p99';

export function isLatencyMetric(metric: SloMetric): metric is (typeof LATENCY_SLO_METRICS)[number] {
  return (LATENCY_SLO_METRICS as readonly string[]).includes(metric);
}

/** The unit of an SLO's threshold and observed value. */
export function sloUnit(metric: SloMetric): 'ms' | 'fraction' | 'ratio' | 'req/s' {
  if (isLatencyMetric(metric)) return 'ms';
  if (metric === 'error_rate') return 'fraction';
  if (metric === 'achieved_rate') return 'ratio';
  return 'req/s';
}

const STREAMED_ONLY = new Set<SloMetric>(['ttft', 'itl', 'tpot']);

const windowSchema = z
  .strictObject({
    /** Seconds after the run's time origin (its first request). */
    fromS: z.number().min(0),
    toS: z.number().positive(),
  })
  .superRefine((w, ctx) => {
    if (w.toS <= w.fromS)
      ctx.addIssue({ code: 'custom', path: ['toS'], message: 'must be greater than fromS' });
  });

export const sloScopeSchema = z.strictObject({
  scenario: z.string().min(1).optional(),
  phase: z.string().min(1).optional(),
  window: windowSchema.optional(),
});

/**
 * One SLO. Thresholds: ms for latency metrics, a fraction for error_rate (0.001 = 0.1 %), achieved/target
 * for achieved_rate (0.99), successful requests per second meeting every latency SLO for goodput.
 */
export const sloSchema = z
  .strictObject({
    id: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
        'must be letters, digits, "_", "." or "-", starting with a letter or digit',
      ),
    description: z.string().optional(),
    metric: z.enum(SLO_METRICS),
    endpoint: z.enum(ENDPOINTS).optional(),
    stat: z.enum(SLO_STATS).optional(),
    op: z.enum(SLO_OPS),
    threshold: z.number().finite(),
    scope: sloScopeSchema.optional(),
  })
  .superRefine((slo, ctx) => {
    const latency = isLatencyMetric(slo.metric);
    if (!latency && slo.stat !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['stat'],
        message: 'only latency metrics (e2e, ttft, itl, tpot) take a stat',
      });
    }
    if (latency && slo.threshold <= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'a latency threshold is in ms and must be > 0',
      });
    }
    if (slo.metric === 'error_rate' && (slo.threshold < 0 || slo.threshold > 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold'],
        message: 'error_rate is a fraction between 0 and 1 (0.001 = 0.1 %)',
      });
    }
    if ((slo.metric === 'achieved_rate' || slo.metric === 'goodput') && slo.threshold < 0) {
      ctx.addIssue({ code: 'custom', path: ['threshold'], message: 'must be >= 0' });
    }
    if (slo.metric === 'achieved_rate' && slo.endpoint !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: 'achieved_rate is per scenario, not per endpoint (use scope.scenario)',
      });
    }
    if (STREAMED_ONLY.has(slo.metric) && slo.endpoint !== undefined && slo.endpoint !== 'chat_stream') {
      ctx.addIssue({
        code: 'custom',
        path: ['endpoint'],
        message: `${slo.metric} is measured on streamed responses only (endpoint chat_stream)`,
      });
    }
  });

export const sloFileSchema = z
  .strictObject({
    slos: z.array(sloSchema).min(1),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.slos.forEach((slo, i) => {
      if (seen.has(slo.id)) {
        ctx.addIssue({ code: 'custom', path: ['slos', i, 'id'], message: `duplicate SLO id "${slo.id}"` });
      }
      seen.add(slo.id);
    });
  });

export type SloScope = z.output<typeof sloScopeSchema>;
export type Slo = z.output<typeof sloSchema>;
export type SloFile = z.output<typeof sloFileSchema>;
