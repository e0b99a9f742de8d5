import { spawnSync } from 'node:child_process';
import { constants } from 'node:fs';
import { access, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { docker } from '../docker-cli.js';
import { importRootfs, rootfsHashInputs } from './assemble-rootfs.js';
import { contentHash, type DigestMemo, type HashInput } from './content-hash.js';
import type { ImageInputs, ImageRecipe } from './image-recipes.js';
import { registryBaseOf } from './image-recipes.js';
import type { ImageSource } from './image-source.js';
import { planRootfs } from './rootfs-plan.js';

/** Labels on every image Gauntlet builds: which image, and the hash of everything it was built from. */
export const imageLabel = 'dev.gauntlet.image';
export const inputsLabel = 'dev.gauntlet.inputs';

export interface EnsuredImage {
  tag: string;
  /** False when an image with the same inputs was already there. */
  built: boolean;
  ms: number;
}

/**
 * Makes sure the image for the current inputs exists, building it (and its rootfs base) only when no image
 * carries the same input hash in its tag: a second bring-up with unchanged binaries, dist/ and lock file
 * builds nothing.
 */
export async function ensureImage(
  recipe: ImageRecipe,
  inputs: ImageInputs,
  source: ImageSource,
  log: (message: string) => void = () => {},
  memo: DigestMemo = new Map(),
): Promise<EnsuredImage> {
  const started = Date.now();
  const dockerfile = join(inputs.root, recipe.dockerfile);
  const dockerfileText = await readFile(dockerfile, 'utf8');
  let base = registryBaseOf(dockerfileText, recipe.dockerfile);
  let built = false;
  if (source === 'rootfs') {
    const { binaries, extras } = recipe.rootfs(inputs);
    for (const binary of binaries) {
      if (!(await exists(binary.hostPath))) {
        throw new Error(
          `the ${recipe.name} image needs ${binary.hostPath}, which is missing: run \`npm run setup\``,
        );
      }
    }
    const plan = planRootfs(binaries, lddOutput, extras);
    const baseHash = await contentHash(rootfsHashInputs(plan), memo);
    base = `gauntlet/${recipe.name}-rootfs:${baseHash.slice(0, 16)}`;
    if (!(await imageExists(base))) {
      log(`importing ${base} (${plan.length} files from this machine)`);
      await importRootfs(plan, base, { [imageLabel]: `${recipe.name}-rootfs`, [inputsLabel]: baseHash });
      built = true;
    }
  }
  const context = recipe.context(inputs);
  const hash = await contentHash(
    [
      ...context,
      { kind: 'text', name: '.dockerfile', text: dockerfileText },
      { kind: 'text', name: '.base', text: base },
    ],
    memo,
  );
  const tag = `gauntlet/${recipe.name}:${hash.slice(0, 16)}`;
  if (!built && (await imageExists(tag))) return { tag, built: false, ms: Date.now() - started };

  log(`building ${tag} from ${recipe.dockerfile} on ${base}`);
  const dir = await mkdtemp(join(tmpdir(), `gauntlet-context-${recipe.name}-`));
  try {
    await stageContext(context, dir);
    const buildArgs = source === 'rootfs' ? ['--build-arg', `BASE=${base}`] : [];
    await docker(
      [
        'build',
        '--quiet',
        '-f',
        dockerfile,
        '-t',
        tag,
        '--label',
        `${imageLabel}=${recipe.name}`,
        '--label',
        `${inputsLabel}=${hash}`,
        ...buildArgs,
        dir,
      ],
      { timeoutMs: 600_000 },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { tag, built: true, ms: Date.now() - started };
}

async function stageContext(context: HashInput[], dir: string): Promise<void> {
  for (const entry of context) {
    const target = join(dir, entry.name);
    await mkdir(dirname(target), { recursive: true });
    if (entry.kind === 'text') {
      await writeFile(target, entry.text);
    } else if (entry.kind === 'file') {
      await cp(entry.path, target);
    } else {
      const skipped = new Set((entry.exclude ?? []).map((path) => join(entry.path, path)));
      // verbatimSymlinks: a relative link inside a package must stay relative inside the image.
      await cp(entry.path, target, {
        recursive: true,
        verbatimSymlinks: true,
        filter: (src) => !skipped.has(src),
      });
    }
  }
}

export async function imageExists(tag: string): Promise<boolean> {
  try {
    await docker(['image', 'inspect', '--format', '{{.Id}}', tag], { timeoutMs: 30_000 });
    return true;
  } catch {
    return false;
  }
}

function lddOutput(binary: string): string {
  const result = spawnSync('ldd', [binary], { encoding: 'utf8' });
  // ldd exits 1 for a static binary and says so on stdout or stderr.
  return `${result.stdout}${result.stderr}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
