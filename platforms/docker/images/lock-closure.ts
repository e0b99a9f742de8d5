/**
 * The installed package folders (`node_modules/a`, `node_modules/a/node_modules/b`) that some root packages
 * need at run time, from package-lock.json (lockfileVersion 2 or 3): each dependency is resolved the way
 * Node resolves it, from the nearest enclosing node_modules outwards. Optional dependencies that are not
 * installed are skipped; a required one that is missing is an error naming it.
 */
export interface LockPackage {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  link?: boolean;
}

export interface PackageLock {
  lockfileVersion?: number;
  packages: Record<string, LockPackage>;
}

export function lockClosure(lock: PackageLock, roots: string[]): string[] {
  if (typeof lock.packages !== 'object' || lock.packages === null) {
    throw new Error('package-lock.json has no "packages" map (lockfileVersion 2 or newer is needed)');
  }
  const needed = new Set<string>();
  const visit = (from: string, name: string, optional: boolean, requiredBy: string): void => {
    const path = resolveFrom(lock, from, name);
    if (path === undefined) {
      if (optional) return;
      throw new Error(`package-lock.json: ${requiredBy} needs ${name}, which is not installed`);
    }
    if (needed.has(path)) return;
    needed.add(path);
    const entry = lock.packages[path] ?? {};
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(path, dep, false, path);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(path, dep, true, path);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) {
      visit(path, dep, entry.peerDependenciesMeta?.[dep]?.optional === true, path);
    }
  };
  for (const root of roots) visit('', root, false, 'the stack services');
  return [...needed].sort();
}

/** Node's lookup: `<from>/node_modules/<name>`, then each enclosing package's node_modules, then the top. */
function resolveFrom(lock: PackageLock, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (lock.packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}
