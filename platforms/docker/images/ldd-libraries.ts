/**
 * The shared libraries a dynamically linked binary loads, from `ldd` output: each as the path it must have
 * inside the image (where the loader looks) and the host file to copy there. The vDSO has no file; a
 * statically linked binary has no libraries ("not a dynamic executable"). A library ldd cannot find makes
 * the image unusable, so it is an error that names it.
 */
export interface LibraryFile {
  /** Path inside the image, as the loader will look it up. */
  imagePath: string;
  /** Path on the host to copy from. */
  hostPath: string;
}

export function parseLddOutput(binary: string, output: string): LibraryFile[] {
  if (/not a dynamic executable|statically linked/.test(output)) return [];
  const libraries: LibraryFile[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('linux-vdso') || line.startsWith('linux-gate')) continue;
    const missing = /^(\S+) => not found/.exec(line);
    if (missing) throw new Error(`${binary} needs ${missing[1]}, which ldd cannot find on this machine`);
    const linked = /^\S+ => (\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (linked?.[1]) {
      libraries.push({ imagePath: linked[1], hostPath: linked[1] });
      continue;
    }
    // The program interpreter is listed by its absolute path alone.
    const loader = /^(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (loader?.[1]) libraries.push({ imagePath: loader[1], hostPath: loader[1] });
  }
  return libraries;
}
