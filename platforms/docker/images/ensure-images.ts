import { defaultImageInputs } from './default-image-inputs.js';
import { loadDigestMemo, saveDigestMemo } from './digest-memo-file.js';
import { type EnsuredImage, ensureImage } from './ensure-image.js';
import { type ImageInputs, type ImageName, imageRecipes } from './image-recipes.js';
import { type ImageSource, imageSourceEnvVar, parseImageSource } from './image-source.js';

export interface EnsureImagesOptions {
  /** The Gauntlet project root. */
  root: string;
  /** Which images; the docker platform needs stack and etcd, network chaos adds toxiproxy. */
  names: ImageName[];
  /** Defaults to GAUNTLET_IMAGE_SOURCE, else rootfs. */
  source?: ImageSource;
  /** Host binaries; defaults to defaultImageInputs(root). */
  inputs?: Partial<ImageInputs>;
  log?: (message: string) => void;
}

/** Builds what is missing, one image at a time (builds are CPU- and disk-bound), and returns their tags. */
export async function ensureImages(
  options: EnsureImagesOptions,
): Promise<Record<ImageName, EnsuredImage | undefined>> {
  const source = options.source ?? parseImageSource(process.env[imageSourceEnvVar]);
  const inputs: ImageInputs = { ...defaultImageInputs(options.root), ...options.inputs, root: options.root };
  const out: Record<ImageName, EnsuredImage | undefined> = {
    stack: undefined,
    etcd: undefined,
    toxiproxy: undefined,
    nginx: undefined,
  };
  const memo = await loadDigestMemo();
  try {
    for (const name of new Set(options.names)) {
      out[name] = await ensureImage(imageRecipes[name], inputs, source, options.log, memo);
    }
  } finally {
    await saveDigestMemo(memo).catch(() => {});
  }
  return out;
}
