/**
 * Where image bases come from. `rootfs` (the default): root filesystems assembled from this machine's own
 * binaries and imported with `docker import`; nothing is pulled, so it works without any registry.
 * `registry`: the public base images named in deploy/docker/*.Dockerfile, for machines that can pull.
 * Chosen by the GAUNTLET_IMAGE_SOURCE environment variable.
 */
export const imageSources = ['rootfs', 'registry'] as const;
export type ImageSource = (typeof imageSources)[number];

export const imageSourceEnvVar = 'GAUNTLET_IMAGE_SOURCE';

export class ImageSourceError extends Error {
  override readonly name = 'ImageSourceError';
}

export function parseImageSource(value: string | undefined): ImageSource {
  if (value === undefined || value === '') return 'rootfs';
  if ((imageSources as readonly string[]).includes(value)) return value as ImageSource;
  throw new ImageSourceError(
    `${imageSourceEnvVar}: must be one of ${imageSources.join(', ')} (got "${value}")`,
  );
}
