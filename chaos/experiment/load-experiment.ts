import type { z } from 'zod';
import { ConfigError, fieldPath } from '../../core/config/config-error.js';
import { loadYamlFile, parseYamlWith } from '../../core/config/yaml-file.js';
import { targetIssues } from './blast-radius.js';
import { type Experiment, type ExperimentInput, experimentSchema } from './experiment-schema.js';
import type { Topology } from './topology.js';

/** The experiment schema plus the checks that need a topology (targets match, blast radius). */
export function experimentSchemaFor(topology?: Topology) {
  if (!topology) return experimentSchema;
  return experimentSchema.superRefine((experiment, ctx) => {
    for (const issue of targetIssues(experiment, topology)) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }
  });
}

/** Loads an experiment YAML file; every problem is a ConfigError naming file, line and field. */
export function loadExperiment(file: string, topology?: Topology): Experiment {
  return loadYamlFile(experimentSchemaFor(topology), file);
}

export function parseExperiment(text: string, file = '<inline>', topology?: Topology): Experiment {
  return parseYamlWith(experimentSchemaFor(topology), text, file);
}

/**
 * Validates an experiment given as data (a TypeScript definition, or one loaded earlier against another
 * topology) against a topology. `source` names it in the errors.
 */
export function validateExperiment(
  experiment: Experiment | ExperimentInput,
  topology: Topology | undefined,
  source: string,
): Experiment {
  const result = experimentSchemaFor(topology).safeParse(experiment);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => issueOf(issue, source)));
}

function issueOf(issue: z.core.$ZodIssue, source: string) {
  return {
    file: source,
    field: fieldPath(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))),
    message: issue.message,
  };
}
