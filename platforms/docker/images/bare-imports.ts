/**
 * The npm packages a compiled ES module imports (`etcd3`, `@scope/pkg` from `@scope/pkg/sub`): what the
 * stack image's node_modules must hold. Relative imports and Node built-ins are not packages.
 */
export function bareImports(source: string): string[] {
  const found = new Set<string>();
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) {
    const specifier = match[1] ?? '';
    if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) continue;
    const parts = specifier.split('/');
    const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
    if (name !== '') found.add(name);
  }
  return [...found].sort();
}
