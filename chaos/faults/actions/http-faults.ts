import { z } from 'zod';
import type { Capability } from '../../../core/platform/capabilities.js';
import type { Role } from '../../../core/platform/roles.js';
import { formatPercent } from '../../experiment/slo.js';
import { defineFault } from '../fault-definition.js';

/** The port every Gauntlet service listens on in its pod (deploy/k8s). */
const servicePort = 8080;

/** An agent whose fault has no set end still stops at the end of the load (the rollback); this bounds it. */
const untilRolledBackS = 3_600;

export const httpFault = defineFault({
  params: z
    .strictObject({
      delayMs: z.number().int().min(0).max(60_000).default(0),
      variationMs: z.number().int().min(0).max(60_000).default(0),
      errorRate: z.number().min(0).max(1).default(0),
      errorCode: z.number().int().min(400).max(599).default(503),
      port: z.number().int().min(1).max(65_535).default(servicePort),
      /** Probes, metrics and status stay untouched: the kubelet must not restart a pod that is only slowed. */
      exclude: z
        .array(z.string().regex(/^\/[^,\s]*$/, 'a URL path starting with / (no comma or space)'))
        .max(50)
        .default(['/healthz', '/readyz', '/metrics', '/v1/status']),
    })
    .refine((p) => p.delayMs > 0 || p.errorRate > 0, {
      message: 'set delayMs or errorRate (or both): an http-fault of neither changes nothing',
    })
    .refine((p) => p.variationMs <= p.delayMs, {
      message: 'variationMs must not exceed delayMs',
      path: ['variationMs'],
    }),
  scope: 'component',
  // The workers' port is the one the batcher -> worker protocol uses; other roles have their own tests.
  impliedRole: (): Role => 'worker',
  link: () => undefined,
  requires: (): Capability[] => ['pod-http-faults'],
  describe: (p) =>
    [
      'http-fault (xk6-disruptor)',
      ...(p.delayMs > 0 ? [`+${p.delayMs} ms${p.variationMs > 0 ? ` +-${p.variationMs}` : ''}`] : []),
      ...(p.errorRate > 0 ? [`${formatPercent(p.errorRate)} answered ${p.errorCode}`] : []),
    ].join(' '),
  rollback: 'stop the xk6-disruptor agents and check that their iptables rules are gone',
  detection: {
    kind: 'none',
    why: "the agent answers in the worker's place; routing changes only if the errors eject the worker",
  },
  inject: (faults, p, t) =>
    faults.podHttp(
      t.componentIds,
      {
        port: p.port,
        delayMs: p.delayMs,
        variationMs: p.variationMs,
        errorRate: p.errorRate,
        errorCode: p.errorCode,
        exclude: p.exclude,
      },
      t.durationS ?? untilRolledBackS,
      t.label,
    ),
});
