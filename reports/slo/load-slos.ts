import { join } from 'node:path';
import { loadYamlFile, parseYamlWith } from '../../core/config/yaml-file.js';
import { packageRoot } from '../package-root.js';
import { type Slo, sloFileSchema } from './slo-schema.js';

/** Reads and validates an SLO file; a mistake throws a ConfigError naming file, line and field. */
export function loadSloFile(file: string): Slo[] {
  return loadYamlFile(sloFileSchema, file).slos;
}

export function parseSloText(text: string, file: string): Slo[] {
  return parseYamlWith(sloFileSchema, text, file).slos;
}

/**
 * The shipped defaults, reports/slo/default-slos.yaml. Found from the package root, so that it resolves
 * the same from the sources and from dist/ (tsc does not copy YAML).
 */
export function defaultSloFile(): string {
  return join(packageRoot(), 'reports', 'slo', 'default-slos.yaml');
}

export function loadDefaultSlos(): Slo[] {
  return loadSloFile(defaultSloFile());
}
