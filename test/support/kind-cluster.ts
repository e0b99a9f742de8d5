import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dockerEngineStatus } from '../../platforms/docker/docker-cli.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * Kind tests run on the real engine with the toolchain `npm run setup` builds (tools/kind). Without an
 * engine, or where setup was told to skip kind (GAUNTLET_SETUP_KIND=0), they skip and say why.
 */
export async function kindSkipReason(): Promise<string | undefined> {
  const engine = await dockerEngineStatus();
  if (!engine.ok)
    return `no Docker engine answers (${engine.reason.split('\n')[0]}); npm run setup starts one`;
  const setup = (await import(pathToFileURL(join(root, 'bin', 'setup', 'kind.js')).href)) as {
    kindToolchainPaths(root: string): Promise<{ kind: string; kubernetesDir: string }>;
  };
  const paths = await setup.kindToolchainPaths(root);
  if (!existsSync(paths.kind) || !existsSync(join(paths.kubernetesDir, 'kubectl'))) {
    return 'the kind toolchain is not built (GAUNTLET_SETUP_KIND=0?); npm run setup builds it';
  }
  return undefined;
}
