import { describe, expect, it } from 'vitest';
import { detectionOf, detectionSignals } from '../measure/detection.js';
import { faultActions } from './fault-action.js';
import { faultRegistry } from './fault-registry.js';

describe('the fault registry', () => {
  it('has exactly one definition per action', () => {
    expect(Object.keys(faultRegistry).sort()).toEqual([...faultActions].sort());
  });

  it('every action declares what it needs from the platform', () => {
    for (const action of faultActions) {
      const definition = faultRegistry[action];
      const params = definition.params.parse(sampleParams[action] ?? {});
      expect(definition.requires(params as never).length, action).toBeGreaterThan(0);
      expect(definition.describe(params as never), action).toContain(action);
    }
  });

  it('a routing fault is never silently not_applicable: on its natural target it can be detected or missed', () => {
    const routing = faultActions.filter((a) => faultRegistry[a].detection.kind === 'routing');
    expect(routing.length).toBeGreaterThan(0);
    for (const action of routing) {
      const definition = faultRegistry[action];
      const params = definition.params.parse(sampleParams[action] ?? {}) as never;
      const role = definition.impliedRole(params) ?? 'worker';
      const link = definition.link(params);
      const fault = { action, ...(link ? { link } : {}) };
      expect(detectionSignals(action, role, link), action).toBeDefined();
      const target = [{ id: 'node-a-gpu0', role }];
      expect(detectionOf(fault, target, 1_000, []).status, action).toBe('not_detected');
      const seen = [{ t: 1_500, targetId: 'node-a-gpu0', signal: 'unregistered' as const, source: 'test' }];
      expect(detectionOf(fault, target, 1_000, seen), action).toEqual({ status: 'detected', afterMs: 500 });
    }
  });

  it('an action without routing detection says why in its own definition', () => {
    for (const action of faultActions) {
      const rule = faultRegistry[action].detection;
      if (rule.kind === 'routing') continue;
      expect(rule.why.length, action).toBeGreaterThan(0);
    }
  });
});

/** Params for the actions whose schema has required fields (the others parse `{}`). */
const sampleParams: Partial<Record<(typeof faultActions)[number], unknown>> = {
  'gpu-slowdown': { factor: 10 },
  'gpu-error-rate': { rate: 0.5 },
  'network-latency': { link: 'batcher->worker', latencyMs: 100 },
  'network-partition': { link: 'batcher->worker' },
  'network-bandwidth': { link: 'batcher->worker', rateKBps: 10 },
  'network-reset-peer': { link: 'batcher->worker' },
  'http-fault': { delayMs: 100 },
};
