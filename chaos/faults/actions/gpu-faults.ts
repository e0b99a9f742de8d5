import { z } from 'zod';
import type { Capability } from '../../../core/platform/capabilities.js';
import type { Role } from '../../../core/platform/roles.js';
import { formatPercent } from '../../experiment/slo.js';
import { defineFault } from '../fault-definition.js';
import { noParams } from './process-faults.js';

const resetGpuFault = 'reset the GPU fault on the worker';
const gpu = {
  scope: 'component',
  impliedRole: (): Role => 'worker',
  link: () => undefined,
  requires: (): Capability[] => ['gpu-faults'],
} as const;

export const gpuSlowdown = defineFault({
  ...gpu,
  params: z.strictObject({ factor: z.number().min(1).max(1000) }),
  describe: (p) => `gpu-slowdown x${p.factor}`,
  rollback: resetGpuFault,
  detection: { kind: 'none', why: 'routing is not expected to change' },
  inject: (faults, p, t) => faults.gpu(t.componentIds, { slowdown: p.factor }, t.label),
});

export const gpuErrorRate = defineFault({
  ...gpu,
  params: z.strictObject({ rate: z.number().min(0).max(1) }),
  describe: (p) => `gpu-error-rate ${formatPercent(p.rate)}`,
  rollback: resetGpuFault,
  detection: { kind: 'routing' },
  inject: (faults, p, t) => faults.gpu(t.componentIds, { errorRate: p.rate }, t.label),
});

export const gpuHang = defineFault({
  ...gpu,
  params: noParams,
  describe: () => 'gpu-hang',
  rollback: resetGpuFault,
  detection: { kind: 'routing' },
  inject: (faults, _p, t) => faults.gpu(t.componentIds, { hang: true }, t.label),
});

export const gpuCrash = defineFault({
  ...gpu,
  params: noParams,
  describe: () => 'gpu-crash',
  rollback: 'restart what is down',
  detection: { kind: 'routing' },
  inject: (faults, _p, t) => faults.gpu(t.componentIds, { crash: true }, t.label),
});

export const gpuOom = defineFault({
  ...gpu,
  params: noParams,
  describe: () => 'gpu-oom',
  rollback: resetGpuFault,
  detection: { kind: 'routing' },
  inject: (faults, _p, t) => faults.gpu(t.componentIds, { oom: true }, t.label),
});
