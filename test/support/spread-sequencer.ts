import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { containerIntegrationFiles, kindIntegrationFiles } from './lanes.js';

/**
 * Vitest's order (longest first when it has timings, largest first when not), the files that run local
 * processes before those whose work runs in containers (which wait for the quiet lane to end, see
 * lanes.ts), and the kind files spread through the latter: they hold one lock, so two of them next to each
 * other would leave the second worker waiting for the first cluster to go instead of running another file.
 */
export default class SpreadSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const path = (file: TestSpecification) => relative(file.project.config.root, file.moduleId);
    const local = sorted.filter((file) => !containerIntegrationFiles.includes(path(file)));
    const containers = sorted.filter((file) => containerIntegrationFiles.includes(path(file)));
    return [...local, ...spreadKind(containers, (file) => kindIntegrationFiles.includes(path(file)))];
  }
}

function spreadKind(sorted: TestSpecification[], isKind: (file: TestSpecification) => boolean) {
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
