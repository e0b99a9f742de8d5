import { ConfigError } from '../../core/config/config-error.js';
import type { Slo as ReportSlo } from '../../reports/slo/slo-schema.js';
import type { Experiment } from './experiment-schema.js';
import { CHAOS_SLO_METRICS, type Slo } from './slo.js';

/** SLOs by id; a string value says why that SLO cannot be used in a chaos window. */
export type SloCatalog = ReadonlyMap<string, Slo | string>;

/**
 * A catalog from the reports' SLOs (`loadSloFile`, `loadDefaultSlos`). Chaos windows evaluate e2e, ttft and
 * error_rate on plain requests; SLOs with another metric or a scope are kept only to explain a reference.
 */
export function sloCatalogFrom(slos: readonly ReportSlo[]): SloCatalog {
  const catalog = new Map<string, Slo | string>();
  for (const slo of slos) {
    const metric = slo.metric;
    if (!(CHAOS_SLO_METRICS as readonly string[]).includes(metric)) {
      catalog.set(
        slo.id,
        `its metric ${metric} is not evaluated per fault window (use e2e, ttft or error_rate)`,
      );
    } else if (slo.scope !== undefined) {
      catalog.set(slo.id, 'it has a scope; a fault window is its own scope');
    } else {
      const { scope: _scope, ...rest } = slo;
      catalog.set(slo.id, { ...rest, metric: metric as Slo['metric'] });
    }
  }
  return catalog;
}

/** The steady state's SLOs with every reference replaced by the catalog's SLO of that id. */
export function resolveSlos(experiment: Experiment, catalog: SloCatalog = new Map()): Slo[] {
  const problems: string[] = [];
  const slos = experiment.steadyState.slos.flatMap((ref) => {
    if (typeof ref !== 'string') return [ref];
    const found = catalog.get(ref);
    if (typeof found === 'object') return [found];
    if (typeof found === 'string') problems.push(`SLO "${ref}" cannot be used: ${found}`);
    else {
      const known = [...catalog.keys()];
      problems.push(
        `unknown SLO "${ref}"; known: ${known.length > 0 ? known.join(', ') : 'none (give SLOs inline or pass a catalog)'}`,
      );
    }
    return [];
  });
  if (problems.length > 0) {
    throw new ConfigError(
      problems.map((message) => ({
        file: `experiment ${experiment.id}`,
        field: 'steadyState.slos',
        message,
      })),
    );
  }
  return slos;
}
