import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterConfigSchema, resolveTopology } from '../../core/config/cluster-config.js';
import { ConfigError } from '../../core/config/config-error.js';
import { loadClusterConfig, parseClusterConfig } from '../../core/config/load-cluster-config.js';
import { projectRoot } from '../../core/project-root.js';
import { loadDefaultSlos } from '../../reports/slo/load-slos.js';
import { shippedExperimentCluster, shippedExperiments } from '../experiments/shipped-experiments.js';
import { workerKill } from '../experiments/worker-kill.js';
import { plannedTopology } from '../testing/planned-topology.js';
import { loadExperiment, parseExperiment, validateExperiment } from './load-experiment.js';
import { resolveSlos, sloCatalogFrom } from './resolve-slos.js';

const reference = plannedTopology(parseClusterConfig(''));

const experimentYaml = (faults: string, extra = '') => `id: x
title: t
description: d
expectedOutcome: e
steadyState:
  slos: [{ id: a, metric: e2e, stat: p99, op: '<', threshold: 100 }]
load: { scenario: load, rate: 10, durationS: 60 }
faults:
${faults}
${extra}`;

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('experiment files', () => {
  it('loads the shipped worker-kill.yaml as the same data as its TypeScript definition', () => {
    const file = join(projectRoot(), 'chaos', 'experiments', 'worker-kill.yaml');
    expect(loadExperiment(file, reference)).toEqual(workerKill);
  });

  it('fills defaults: target count 1, pick first, every rollback sweep, no abort rule', () => {
    const experiment = parseExperiment(
      experimentYaml('  - { id: k, at: 20, action: kill, target: { role: worker } }'),
    );
    const fault = experiment.faults[0];
    expect(fault?.target).toEqual({ role: 'worker', count: 1, pick: 'first' });
    expect(fault?.action === 'kill' && fault.params).toEqual({ signal: 'SIGKILL' });
    expect(experiment.rollbacks).toEqual([
      'thaw-all',
      'restart-dead',
      'clear-gpu-faults',
      'clear-network-faults',
    ]);
    expect(experiment.abort).toEqual([]);
    expect(experiment.steadyState.windowS).toBe(10);
    expect(experiment.allowAllReplicas).toBe(false);
  });

  it('names file, line and field for an unknown action', () => {
    const error = errorOf(() =>
      parseExperiment(experimentYaml('  - { id: k, at: 20, action: explode }'), 'exp.yaml'),
    );
    expect(error.issues[0]).toMatchObject({ file: 'exp.yaml', line: 9, field: 'faults[0].action' });
    expect(error.message).toContain('network-partition');
    expect(error.message).toContain('(got "explode")');
  });

  it('names the line of a bad parameter, with the allowed range', () => {
    const text = experimentYaml(
      '  - id: s\n    at: 20\n    action: gpu-slowdown\n    params:\n      factor: 0.5',
    );
    const error = errorOf(() => parseExperiment(text, 'exp.yaml'));
    expect(error.message).toBe('exp.yaml:13:7: faults[0].params.factor: must be >= 1 (got 0.5)');
  });

  it('rejects a fault before the steady-state window and one that outlasts the load', () => {
    const early = errorOf(() =>
      parseExperiment(experimentYaml('  - { id: k, at: 5, action: kill }'), 'e.yaml'),
    );
    expect(early.message).toContain('faults[0].at: must be >= steadyState.windowS (10)');
    const late = errorOf(() =>
      parseExperiment(experimentYaml('  - { id: k, at: 50, durationS: 20, action: kill }'), 'e.yaml'),
    );
    expect(late.message).toContain('faults[0].durationS: at + durationS (70) must be <= load.durationS (60)');
  });

  it('rejects duplicate fault ids, a role that contradicts the action, and leader picks outside etcd', () => {
    const error = errorOf(() =>
      parseExperiment(
        experimentYaml(
          [
            '  - { id: k, at: 20, action: kill, target: { role: worker, pick: leader } }',
            '  - { id: k, at: 20, action: gpu-hang, target: { role: batcher } }',
          ].join('\n'),
        ),
        'e.yaml',
      ),
    );
    const fields = error.issues.map((i) => i.field);
    expect(fields).toContain('faults[1].id');
    expect(fields).toContain('faults[1].target.role');
    expect(fields).toContain('faults[0].target.pick');
    expect(error.message).toContain('gpu-hang targets role "worker" (got "batcher")');
  });

  it('rejects an unknown load scenario and an error-rate SLO above 1', () => {
    const text = experimentYaml('  - { id: k, at: 20, action: kill }')
      .replace('scenario: load', 'scenario: hammer')
      .replace(
        "{ id: a, metric: e2e, stat: p99, op: '<', threshold: 100 }",
        "{ id: a, metric: error_rate, op: '<', threshold: 5 }",
      );
    const error = errorOf(() => parseExperiment(text, 'e.yaml'));
    expect(error.message).toContain('load.scenario: one of smoke, load, stress, spike, soak, breakpoint');
    expect(error.message).toContain('steadyState.slos[0].threshold: an error rate is a fraction in [0, 1]');
  });

  it('resolves SLO references from a catalog and names unknown ones', () => {
    const experiment = parseExperiment(
      experimentYaml('  - { id: k, at: 20, action: kill }').replace(
        "slos: [{ id: a, metric: e2e, stat: p99, op: '<', threshold: 100 }]",
        'slos: [ttft-p99]',
      ),
    );
    const ttft = { id: 'ttft-p99', metric: 'ttft', stat: 'p99', op: '<', threshold: 500 } as const;
    expect(resolveSlos(experiment, new Map([['ttft-p99', ttft]]))).toEqual([ttft]);
    expect(() => resolveSlos(experiment)).toThrow('unknown SLO "ttft-p99"');
  });

  it("uses the reports' SLO file as a catalog, and says why an SLO of another metric cannot be used", () => {
    const withRefs = (refs: string) =>
      parseExperiment(
        experimentYaml('  - { id: k, at: 20, action: kill }').replace(
          "slos: [{ id: a, metric: e2e, stat: p99, op: '<', threshold: 100 }]",
          `slos: [${refs}]`,
        ),
      );
    const catalog = sloCatalogFrom(loadDefaultSlos());
    expect(
      resolveSlos(withRefs('infer-p99-e2e, error-rate'), catalog).map((s) => [s.id, s.metric, s.endpoint]),
    ).toEqual([
      ['infer-p99-e2e', 'e2e', 'infer'],
      ['error-rate', 'error_rate', undefined],
    ]);
    expect(() => resolveSlos(withRefs('achieved-rate'), catalog)).toThrow(
      'SLO "achieved-rate" cannot be used: its metric achieved_rate is not evaluated per fault window',
    );
  });
});

describe('blast radius', () => {
  const withFault = (fault: string, extra = '') => experimentYaml(fault, extra);

  it('rejects a fault that would take out every replica of a role, naming them and the way out', () => {
    const error = errorOf(() =>
      parseExperiment(
        withFault('  - id: k\n    at: 20\n    action: kill\n    target: { role: worker, count: all }'),
        'e.yaml',
        reference,
      ),
    );
    expect(error.issues[0]).toMatchObject({ file: 'e.yaml', line: 12, field: 'faults[0].target' });
    expect(error.message).toContain(
      'kill would hit every worker (4 of 4: node-a-gpu0, node-a-gpu1, node-b-gpu0, node-b-gpu1)',
    );
    expect(error.message).toContain('allowAllReplicas: true');
  });

  it('allows it with allowAllReplicas: true', () => {
    const text = withFault(
      '  - { id: k, at: 20, action: kill, target: { role: worker, count: all } }',
      'allowAllReplicas: true',
    );
    expect(parseExperiment(text, 'e.yaml', reference).faults[0]?.target.count).toBe('all');
  });

  it('judges random picks by their worst case', () => {
    const two = withFault(
      '  - { id: k, at: 20, action: kill, target: { role: batcher, count: 2, pick: random } }',
    );
    expect(() => parseExperiment(two, 'e.yaml', reference)).toThrow('kill could hit every batcher (2 of 2');
    const one = withFault(
      '  - { id: k, at: 20, action: kill, target: { role: batcher, count: 1, pick: random } }',
    );
    expect(() => parseExperiment(one, 'e.yaml', reference)).not.toThrow();
  });

  it('counts everything on a node for node faults', () => {
    const worker = withFault('  - { id: n, at: 20, action: node-kill, target: { role: worker } }');
    expect(() => parseExperiment(worker, 'e.yaml', reference)).not.toThrow();
    const control = withFault('  - { id: n, at: 20, action: node-freeze, target: { node: control } }');
    const error = errorOf(() => parseExperiment(control, 'e.yaml', reference));
    expect(error.message).toContain('node-freeze would hit every etcd (3 of 3');
    expect(error.message).toContain('every batcher (2 of 2');
    expect(error.message).toContain('every gateway (1 of 1');
    const oneNode = plannedTopology(parseClusterConfig('nodes: [{ name: solo, gpus: 4 }]'));
    expect(() => parseExperiment(worker, 'e.yaml', oneNode)).toThrow(
      'node-kill would hit every worker (4 of 4',
    );
  });

  it('lets etcd quorum loss and leader kill through on 3 members, not on 1', () => {
    const faults =
      '  - { id: q, at: 20, action: etcd-quorum-loss }\n  - { id: l, at: 30, action: etcd-kill-leader }';
    expect(() => parseExperiment(withFault(faults), 'e.yaml', reference)).not.toThrow();
    const single = plannedTopology(parseClusterConfig('etcd: { members: 1 }'));
    const error = errorOf(() => parseExperiment(withFault(faults), 'e.yaml', single));
    expect(error.issues.map((i) => i.field)).toEqual(['faults[0].target', 'faults[1].target']);
  });

  it('rejects a gateway fault (one replica) and a target that matches nothing', () => {
    expect(() =>
      parseExperiment(
        withFault('  - { id: g, at: 20, action: freeze, target: { role: gateway } }'),
        'e.yaml',
        reference,
      ),
    ).toThrow('would hit every gateway (1 of 1: gateway-0)');
    expect(() =>
      parseExperiment(
        withFault('  - { id: g, at: 20, action: kill, target: { id: node-z-gpu0 } }'),
        'e.yaml',
        reference,
      ),
    ).toThrow('target (id node-z-gpu0) matches no component');
  });

  it('validates every shipped experiment against the reference topology', () => {
    expect(shippedExperiments.map((e) => e.id)).toEqual([
      'worker-kill',
      'worker-node-kill',
      'worker-node-freeze',
      'batcher-kill',
      'etcd-leader-kill',
      'etcd-quorum-loss',
      'network-delay',
      'worker-partition',
      'gpu-slowdown',
      'gpu-oom',
      'gateway-kill',
      'worker-http-fault',
    ]);
    for (const experiment of shippedExperiments) {
      const cluster = resolveTopology(clusterConfigSchema.parse(shippedExperimentCluster(experiment.id)));
      const topology = plannedTopology(cluster);
      expect(() => validateExperiment(experiment, topology, experiment.id)).not.toThrow();
    }
  });

  it('ships gateway-kill.cluster.yaml as the same config as its TypeScript definition', () => {
    const file = join(projectRoot(), 'chaos', 'experiments', 'gateway-kill.cluster.yaml');
    expect(loadClusterConfig(file)).toEqual(
      resolveTopology(clusterConfigSchema.parse(shippedExperimentCluster('gateway-kill'))),
    );
  });

  it('refuses gateway-kill on the reference stack: its one gateway is every gateway', () => {
    const gatewayKill = shippedExperiments.find((e) => e.id === 'gateway-kill');
    if (!gatewayKill) throw new Error('gateway-kill missing');
    expect(() => validateExperiment(gatewayKill, reference, 'gateway-kill')).toThrow(
      'would hit every gateway (1 of 1: gateway-0)',
    );
  });

  it('network-delay hits every worker only because it says so', () => {
    const delay = shippedExperiments.find((e) => e.id === 'network-delay');
    if (!delay) throw new Error('network-delay missing');
    expect(() =>
      validateExperiment({ ...delay, allowAllReplicas: false }, reference, 'network-delay'),
    ).toThrow('network-delay: faults[0].target: network-latency would hit every worker (4 of 4');
  });
});
