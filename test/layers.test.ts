import { describe, expect, it } from 'vitest';
import { projectRoot } from '../core/project-root.js';
import { disallowedEdges, type FolderGraph, folderCycles, folderGraph } from './support/folder-graph.js';

/**
 * The layers, bottom up (see README: Architecture). A folder may import only from the folders listed for
 * it; chaos/ and reports/ know platforms only through core's contract, so a new platform never touches them.
 */
const allowedImports: Record<string, readonly string[]> = {
  core: [],
  stack: ['core'],
  reports: ['core'],
  scenarios: ['core', 'reports', 'stack'],
  platforms: ['core', 'stack'],
  runner: ['core', 'reports', 'scenarios', 'stack'],
  chaos: ['core', 'reports', 'runner', 'scenarios', 'stack'],
  pipeline: ['core', 'reports', 'scenarios', 'runner', 'chaos', 'platforms', 'stack'],
  cli: ['core', 'reports', 'scenarios', 'runner', 'chaos', 'platforms', 'pipeline', 'stack'],
  bench: ['core', 'reports', 'scenarios', 'runner', 'chaos', 'platforms', 'pipeline', 'stack', 'cli'],
  test: ['core', 'reports', 'scenarios', 'runner', 'chaos', 'platforms', 'pipeline', 'stack', 'cli'],
  tools: ['core', 'runner'],
  // Leaf folders of deployment files and examples whose tests check them against the code.
  deploy: ['core', 'reports', 'scenarios', 'runner', 'stack'],
  examples: ['core', 'reports', 'runner'],
};

describe('folder layers', () => {
  const graph = folderGraph(projectRoot());

  it('imports only point down the declared layers', () => {
    expect(disallowedEdges(graph, allowedImports)).toEqual([]);
  });

  it('has no import cycle between top-level folders', () => {
    expect(folderCycles(graph)).toEqual([]);
  });

  it('the checks see a planted cycle and a planted upward import', () => {
    const planted: FolderGraph = new Map([
      ['core', new Set(['chaos'])],
      ['chaos', new Set(['core'])],
    ]);
    expect(folderCycles(planted)).toEqual(['chaos -> core -> chaos']);
    expect(disallowedEdges(planted, allowedImports)).toEqual(['core -> chaos']);
  });
});
