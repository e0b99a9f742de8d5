import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { kindIntegrationFiles, quietIntegrationFiles } from './lanes.js';

/**
 * The quiet group in the order lanes.ts gives (longest first, measured). Elsewhere vitest's order (longest
 * first when it has timings, largest first when not), with the kind files spread
 * through it: they hold one lock, so two of them next to each other would leave the second worker waiting
 * for the first cluster to go instead of running another file.
 */
export default class SpreadSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const path = (file: TestSpecification) => relative(file.project.config.root, file.moduleId);
    const quiet = (file: TestSpecification) => quietIntegrationFiles.indexOf(path(file));
    // The quiet files in lanes.ts's order (longest first, measured).
    if (files.length > 0 && files.every((file) => quiet(file) >= 0)) {
      return [...files].sort((a, b) => quiet(a) - quiet(b));
    }
    const sorted = await super.sort(files);
    const isKind = (file: TestSpecification) => kindIntegrationFiles.includes(path(file));
    const kind = sorted.filter(isKind);
    const rest = sorted.filter((file) => !isKind(file));
    if (kind.length === 0) return sorted;
    const gap = Math.max(4, Math.floor(rest.length / kind.length));
    const out: TestSpecification[] = [];
    rest.forEach((file, i) => {
      if (i % gap === 0 && kind.length > 0) out.push(kind.shift() as TestSpecification);
      out.push(file);
    });
    return [...out, ...kind];
  }
}
