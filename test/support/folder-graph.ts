import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** Which top-level folders import which, read from the relative import specifiers of every .ts file. */
export type FolderGraph = Map<string, Set<string>>;

const importSpec = /(?:from|import)\s*\(?\s*['"](\.\.?\/[^'"]+)['"]/g;
const skipped = new Set(['node_modules', 'dist', '.git', '.tools', '.gauntlet', '.gauntlet-ci', 'out']);

function* tsFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

export function folderGraph(root: string): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const file of tsFiles(root)) {
    const rel = relative(root, file).split(sep).join('/');
    const [from] = rel.split('/');
    if (from === undefined || !rel.includes('/')) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(importSpec)) {
      const target = posix.normalize(posix.join(posix.dirname(rel), match[1] as string));
      const [to] = target.split('/');
      if (to === undefined || to === from || to.startsWith('..')) continue;
      const edges = graph.get(from) ?? new Set<string>();
      edges.add(to);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Edges that the declared layering does not allow, as `from -> to` strings. */
export function disallowedEdges(
  graph: FolderGraph,
  allowed: Readonly<Record<string, readonly string[]>>,
): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const ok = allowed[from];
      if (ok === undefined) out.push(`${from} -> ${to} (${from}/ is not in the layer table)`);
      else if (!ok.includes(to)) out.push(`${from} -> ${to}`);
    }
  }
  return out.sort();
}

/** Every cycle between folders, each as a path `a -> b -> a` (one rotation per cycle). */
export function folderCycles(graph: FolderGraph): string[] {
  const cycles = new Set<string>();
  const walk = (start: string, node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) {
        // Only nodes after `start` are walked, so each cycle is found once, from its smallest folder.
        cycles.add([...path, start].join(' -> '));
      } else if (!path.includes(next) && next > start) walk(start, next, [...path, next]);
    }
  };
  for (const start of graph.keys()) walk(start, start, [start]);
  return [...cycles].sort();
}
