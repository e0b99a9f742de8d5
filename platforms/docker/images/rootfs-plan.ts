import { parseLddOutput } from './ldd-libraries.js';

/**
 * What goes into a root filesystem image made from this machine's own binaries: each binary at the path
 * the public image has it, every library its `ldd` lists at the path the loader looks it up, plus folders
 * and small files (a passwd for nginx, /tmp). Pure: the ldd output is passed in.
 */
export type RootfsEntry =
  | { kind: 'file'; imagePath: string; hostPath: string; executable: boolean }
  | { kind: 'dir'; imagePath: string; mode: number }
  | { kind: 'text'; imagePath: string; text: string };

export interface RootfsBinary {
  hostPath: string;
  imagePath: string;
}

export function planRootfs(
  binaries: RootfsBinary[],
  lddOutputOf: (hostPath: string) => string,
  extras: RootfsEntry[] = [],
): RootfsEntry[] {
  const byPath = new Map<string, RootfsEntry>();
  const add = (entry: RootfsEntry): void => {
    const existing = byPath.get(entry.imagePath);
    if (existing && JSON.stringify(existing) !== JSON.stringify(entry)) {
      throw new Error(`two different files for ${entry.imagePath} in one image`);
    }
    byPath.set(entry.imagePath, entry);
  };
  for (const binary of binaries) {
    if (!binary.imagePath.startsWith('/'))
      throw new Error(`image path must be absolute: ${binary.imagePath}`);
    add({ kind: 'file', imagePath: binary.imagePath, hostPath: binary.hostPath, executable: true });
    for (const lib of parseLddOutput(binary.hostPath, lddOutputOf(binary.hostPath))) {
      add({
        kind: 'file',
        imagePath: lib.imagePath,
        hostPath: lib.hostPath,
        executable: lib.imagePath.includes('ld-linux'),
      });
    }
  }
  for (const extra of extras) add(extra);
  return [...byPath.values()].sort((a, b) =>
    a.imagePath < b.imagePath ? -1 : a.imagePath > b.imagePath ? 1 : 0,
  );
}
