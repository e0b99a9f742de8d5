import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { unsupported } from '../../core/platform/capabilities.js';
import { batcherKill } from '../experiments/batcher-kill.js';
import { referenceLoad, referenceSteadyState } from '../experiments/reference-steady-state.js';
import { workerNodeFreeze } from '../experiments/worker-node-freeze.js';
import { platformDouble } from '../testing/platform-double.js';
import { assertCapabilities, capabilityIssues } from './check-capabilities.js';
import { defineExperiment } from './define-experiment.js';

const noFreeze = platformDouble('docker', {
  freeze: unsupported('docker pause is not wired up yet'),
  'node-freeze': unsupported('containers share no node to freeze'),
});

describe('capabilities checked at plan time', () => {
  it('refuses a freeze experiment on a platform without freeze, naming platform, capability and reason', () => {
    expect(() => assertCapabilities(workerNodeFreeze, noFreeze)).toThrow(UserFacingError);
    expect(() => assertCapabilities(workerNodeFreeze, noFreeze)).toThrow(
      /cannot run on the docker platform:\n {2}fault .* \(node-freeze\) needs "node-freeze", which the docker platform does not support: containers share no node to freeze/,
    );
    const freezeOne = defineExperiment({
      ...experimentBase,
      faults: [{ id: 'freeze-batcher', at: 30, action: 'freeze', target: { role: 'batcher' } }],
    });
    expect(capabilityIssues(freezeOne, noFreeze)).toEqual([
      'fault freeze-batcher (freeze) needs "freeze", which the docker platform does not support: docker pause is not wired up yet',
    ]);
  });

  it('lets through what the platform supports', () => {
    expect(capabilityIssues(batcherKill, noFreeze)).toEqual([]);
    expect(() => assertCapabilities(workerNodeFreeze, platformDouble('local'))).not.toThrow();
  });

  it('a graceful kill needs graceful-stop as well as kill', () => {
    const sigterm = defineExperiment({
      ...experimentBase,
      faults: [
        { id: 'drain', at: 30, action: 'kill', target: { role: 'worker' }, params: { signal: 'SIGTERM' } },
      ],
    });
    const noStop = platformDouble('cluster', { 'graceful-stop': unsupported('no preStop hook') });
    expect(capabilityIssues(sigterm, noStop)).toEqual([
      'fault drain (kill) needs "graceful-stop", which the cluster platform does not support: no preStop hook',
    ]);
  });
});

const experimentBase = {
  id: 'capability-check',
  title: 'capability check',
  description: 'one fault',
  expectedOutcome: 'refused or accepted before anything runs',
  steadyState: referenceSteadyState,
  load: referenceLoad,
};
