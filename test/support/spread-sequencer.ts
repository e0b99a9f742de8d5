import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { kindIntegrationFiles } from './lanes.js';

/**
 * Vitest's order (longest first when it has timings, largest first when not), with the kind files spread
 * through it: they hold one lock, so two of them next to each other would leave the second worker waiting
 * for the first cluster to go instead of running another file.
 */
export default class SpreadSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isKind = (file: TestSpecification) =>
      kindIntegrationFiles.includes(relative(file.project.config.root, file.moduleId));
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
