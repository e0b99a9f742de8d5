import type { Experiment, ExperimentInput } from './experiment-schema.js';
import { validateExperiment } from './load-experiment.js';

/**
 * A typed experiment definition, validated (without a topology) when the module loads, so a mistake in a
 * shipped experiment fails at import with the field named. The blast radius is checked later, against the
 * topology it runs on.
 */
export function defineExperiment(input: ExperimentInput): Experiment {
  return validateExperiment(input, undefined, `experiment ${input.id}`);
}
