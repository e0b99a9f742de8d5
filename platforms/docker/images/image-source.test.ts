import { describe, expect, it } from 'vitest';
import { parseImageSource } from './image-source.js';

describe('parseImageSource', () => {
  it('defaults to rootfs and accepts both sources', () => {
    expect(parseImageSource(undefined)).toBe('rootfs');
    expect(parseImageSource('')).toBe('rootfs');
    expect(parseImageSource('registry')).toBe('registry');
  });

  it('names the variable and what is allowed', () => {
    expect(() => parseImageSource('dockerhub')).toThrow(
      'GAUNTLET_IMAGE_SOURCE: must be one of rootfs, registry (got "dockerhub")',
    );
  });
});
