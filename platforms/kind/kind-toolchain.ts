import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface KindTools {
  kind: string;
  kubectl: string;
  /** The node image for `kind create cluster --image`. */
  nodeImage: string;
}

interface SetupStepOptions {
  root: string;
  quiet?: boolean;
  log?: (line: string) => void;
}

/**
 * The kind toolchain and node image from the setup steps (bin/setup/kind*.js): built and cached on first
 * use (a cold Kubernetes build is long; each step says what it does), found in the cache afterwards.
 */
export async function ensureKindTools(root: string, log: (line: string) => void): Promise<KindTools> {
  const load = async <T>(file: string) =>
    (await import(pathToFileURL(join(root, 'bin', 'setup', file)).href)) as T;
  const runtime = await load<{ ensurePrivilegedContainers(o: SetupStepOptions): Promise<string> }>(
    'docker-runtime.js',
  );
  const toolchain = await load<{
    ensureKindToolchain(o: SetupStepOptions): Promise<{ kubernetesDir: string; kind: string }>;
  }>('kind.js');
  const image = await load<{ ensureKindNodeImage(o: SetupStepOptions): Promise<string> }>(
    'kind-node-image.js',
  );
  const options = { root, quiet: false, log };
  await runtime.ensurePrivilegedContainers(options);
  const tools = await toolchain.ensureKindToolchain(options);
  const nodeImage = await image.ensureKindNodeImage(options);
  return { kind: tools.kind, kubectl: join(tools.kubernetesDir, 'kubectl'), nodeImage };
}
