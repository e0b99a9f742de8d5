import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { missingCapabilities } from '../../core/platform/capabilities.js';
import type { Platform } from '../../core/platform/platform.js';
import { requiredCapabilities } from '../faults/fault-registry.js';
import type { Experiment } from './experiment-schema.js';

/** One line per fault that needs something the platform lacks: platform, fault, capability and why. */
export function capabilityIssues(
  experiment: Experiment,
  platform: Pick<Platform, 'name' | 'capabilities'>,
): string[] {
  return experiment.faults.flatMap((fault) =>
    missingCapabilities(platform.capabilities, requiredCapabilities(fault)).map(
      (m) =>
        `fault ${fault.id} (${fault.action}) needs "${m.capability}", which the ${platform.name} platform does not support: ${m.reason}`,
    ),
  );
}

/**
 * Refuses, before anything is started, an experiment whose faults need a capability the platform lacks
 * (a freeze on a platform that cannot freeze would otherwise fail mid-run, after the steady state).
 */
export function assertCapabilities(
  experiment: Experiment,
  platform: Pick<Platform, 'name' | 'capabilities'>,
): void {
  const issues = capabilityIssues(experiment, platform);
  if (issues.length === 0) return;
  throw new UserFacingError(
    `experiment ${experiment.id} cannot run on the ${platform.name} platform:\n${issues.map((i) => `  ${i}`).join('\n')}`,
  );
}
