import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserFacingError } from '../../core/errors/user-facing-error.js';

/**
 * The kubectl the cluster platform runs (render, apply, port-forward, delete): the one `npm run setup`
 * built with the kind toolchain (its kustomize is the one the manifests are tested with), else the first
 * on PATH.
 */
export async function findKubectl(root: string): Promise<string> {
  const built = await builtKubectl(root);
  if (built) return built;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new UserFacingError(
    'the cluster platform needs kubectl: install it (https://kubernetes.io/docs/tasks/tools/) or run npm run setup, which builds one',
  );
}

async function builtKubectl(root: string): Promise<string | undefined> {
  try {
    const setup = (await import(pathToFileURL(join(root, 'bin', 'setup', 'kind.js')).href)) as {
      kindToolchainPaths(root: string): Promise<{ kubernetesDir: string }>;
    };
    const kubectl = join((await setup.kindToolchainPaths(root)).kubernetesDir, 'kubectl');
    return existsSync(kubectl) ? kubectl : undefined;
  } catch {
    return undefined;
  }
}
