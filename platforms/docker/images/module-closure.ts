import { dirname, join, normalize } from 'node:path';

/**
 * What compiled ES modules need at run time: every module file reached from the entry points through
 * relative imports, and the npm packages they import (`etcd3`, `@scope/pkg` from `@scope/pkg/sub`). Node
 * built-ins are neither. Type-only imports are gone from compiled JavaScript, so they are not followed.
 */
export interface ModuleClosure {
  /** Absolute paths of the module files, sorted. */
  files: string[];
  /** Package names, sorted. */
  packages: string[];
}

// The quotes must match: prose in a comment (`from "the stack's host"`) is not an import.
const importPattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;

export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(importPattern)].map((match) => match[2] ?? '').filter((s) => s !== '');
}

export function packageName(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function moduleClosure(entries: string[], readSource: (file: string) => string): ModuleClosure {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = entries.map((entry) => normalize(entry));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importSpecifiers(readSource(file))) {
      if (specifier.startsWith('.')) {
        pending.push(normalize(join(dirname(file), specifier)));
        continue;
      }
      const name = packageName(specifier);
      if (name) packages.add(name);
    }
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}
