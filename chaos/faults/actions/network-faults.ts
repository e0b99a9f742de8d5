import { z } from 'zod';
import { directionSchema, type LinkName, linkSchema } from '../../../core/network/links.js';
import type { Capability } from '../../../core/platform/capabilities.js';
import type { Role } from '../../../core/platform/roles.js';
import { defineFault } from '../fault-definition.js';

/** The role whose replicas a link's faults hit: the destination of the link. */
export const linkTargetRole: Record<LinkName, Role> = {
  'gateway->batcher': 'batcher',
  'batcher->worker': 'worker',
  'any->etcd': 'etcd',
};

const removeToxic = 'remove the toxic / re-enable the proxy';
const onLink = {
  scope: 'component',
  impliedRole: (p: { link: LinkName }) => linkTargetRole[p.link],
  link: (p: { link: LinkName }) => p.link,
  requires: (): Capability[] => ['link-faults'],
  rollback: removeToxic,
} as const;

export const networkLatency = defineFault({
  ...onLink,
  params: z.strictObject({
    link: linkSchema,
    latencyMs: z.number().int().min(0).max(600_000),
    jitterMs: z.number().int().min(0).max(600_000).default(0),
    direction: directionSchema.default('downstream'),
  }),
  describe: (p) =>
    `network-latency +${p.latencyMs} ms${p.jitterMs ? ` ±${p.jitterMs} ms` : ''} on ${p.link} (${p.direction})`,
  detection: { kind: 'none', why: 'routing is not expected to change' },
  inject: (faults, p, t) =>
    faults.link(
      p.link,
      t.componentIds,
      { kind: 'latency', latencyMs: p.latencyMs, jitterMs: p.jitterMs, direction: p.direction },
      t.label,
    ),
});

export const networkPartition = defineFault({
  ...onLink,
  params: z.strictObject({
    link: linkSchema,
    /** blackhole: data is dropped and connections hang; refuse: the proxy closes them and refuses new ones. */
    mode: z.enum(['blackhole', 'refuse']).default('blackhole'),
  }),
  describe: (p) => `network-partition (${p.mode}) on ${p.link}`,
  detection: { kind: 'routing' },
  inject: (faults, p, t) =>
    faults.link(
      p.link,
      t.componentIds,
      p.mode === 'refuse' ? { kind: 'refuse' } : { kind: 'blackhole', direction: 'both' },
      t.label,
    ),
});

export const networkBandwidth = defineFault({
  ...onLink,
  params: z.strictObject({
    link: linkSchema,
    rateKBps: z.number().int().min(1).max(10_000_000),
    direction: directionSchema.default('downstream'),
  }),
  describe: (p) => `network-bandwidth ${p.rateKBps} KB/s on ${p.link} (${p.direction})`,
  detection: { kind: 'none', why: 'routing is not expected to change' },
  inject: (faults, p, t) =>
    faults.link(
      p.link,
      t.componentIds,
      { kind: 'bandwidth', rateKBps: p.rateKBps, direction: p.direction },
      t.label,
    ),
});

export const networkResetPeer = defineFault({
  ...onLink,
  params: z.strictObject({ link: linkSchema, timeoutMs: z.number().int().min(0).max(600_000).default(0) }),
  describe: (p) => `network-reset-peer after ${p.timeoutMs} ms on ${p.link}`,
  detection: { kind: 'routing' },
  inject: (faults, p, t) =>
    faults.link(p.link, t.componentIds, { kind: 'reset_peer', timeoutMs: p.timeoutMs }, t.label),
});
