import { z } from 'zod';
import type { Capability } from '../../../core/platform/capabilities.js';
import { defineFault } from '../fault-definition.js';

export const signalSchema = z.enum(['SIGKILL', 'SIGTERM']);
export const signalParams = z.strictObject({ signal: signalSchema.default('SIGKILL') }).prefault({});
export const noParams = z.strictObject({}).prefault({});

/** SIGTERM asks for a graceful stop, which a platform may support apart from a hard kill. */
export function killCapabilities(signal: 'SIGKILL' | 'SIGTERM', kill: Capability = 'kill'): Capability[] {
  return signal === 'SIGTERM' ? [kill, 'graceful-stop'] : [kill];
}

const restartWhatIsDown = 'restart what is down';
const none = () => undefined;

export const kill = defineFault({
  params: signalParams,
  scope: 'component',
  impliedRole: none,
  link: none,
  requires: (p) => killCapabilities(p.signal),
  describe: (p) => `kill (${p.signal})`,
  rollback: restartWhatIsDown,
  detection: { kind: 'routing' },
  inject: (faults, p, t) => faults.kill(t.componentIds, p.signal, t.label),
});

export const nodeKill = defineFault({
  params: signalParams,
  scope: 'node',
  impliedRole: none,
  link: none,
  requires: (p) => killCapabilities(p.signal, 'node-kill'),
  describe: (p) => `node-kill (${p.signal})`,
  rollback: restartWhatIsDown,
  detection: { kind: 'routing' },
  inject: (faults, p, t) => faults.killNode(t.nodes, p.signal, t.label),
});

export const freeze = defineFault({
  params: noParams,
  scope: 'component',
  impliedRole: none,
  link: none,
  requires: () => ['freeze'],
  describe: () => 'freeze',
  rollback: 'thaw (SIGCONT)',
  detection: { kind: 'routing' },
  inject: (faults, _p, t) => faults.freeze(t.componentIds, t.label),
});

export const nodeFreeze = defineFault({
  params: noParams,
  scope: 'node',
  impliedRole: none,
  link: none,
  requires: () => ['node-freeze'],
  describe: () => 'node-freeze',
  rollback: 'thaw (SIGCONT)',
  detection: { kind: 'routing' },
  inject: (faults, _p, t) => faults.freezeNode(t.nodes, t.label),
});

export const nodeDrain = defineFault({
  params: noParams,
  scope: 'node',
  impliedRole: none,
  link: none,
  requires: () => ['node-drain'],
  describe: () => 'node-drain (cordon, evict through the disruption budgets)',
  rollback: 'uncordon',
  detection: {
    kind: 'none',
    why: 'a drain evicts only what the PodDisruptionBudgets allow; the journal lists the evicted pods and those a budget kept',
  },
  inject: (faults, _p, t) => faults.drainNode(t.nodes, t.label),
});
