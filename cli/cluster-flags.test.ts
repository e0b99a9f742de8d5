import { describe, expect, it } from 'vitest';
import { platformOptionsOf } from './cluster-flags.js';

describe('the cluster flags', () => {
  it('become the cluster target with --platform cluster', () => {
    expect(platformOptionsOf('cluster', { context: 'kind-x', namespace: 'team' })).toEqual({
      cluster: {
        context: 'kind-x',
        namespace: 'team',
        kubeconfig: undefined,
        allowlist: undefined,
        image: undefined,
      },
    });
  });

  it('are refused with any other platform, where they would be ignored', () => {
    expect(platformOptionsOf('local', {})).toEqual({});
    expect(() => platformOptionsOf('kind', { context: 'kind-x', allowlist: 'a.yaml' })).toThrow(
      '--context, --allowlist: only with --platform cluster',
    );
  });

  it('keep the attach flags to --attach', () => {
    expect(() =>
      platformOptionsOf('cluster', { context: 'c', selector: { worker: { app: 'vllm' } } }),
    ).toThrow('--selector: only with --attach');
    expect(() => platformOptionsOf('cluster', { attach: true, image: 'x' })).toThrow('an attached stack');
    expect(platformOptionsOf('cluster', { attach: true, apiKey: 'k' }).cluster?.apiKey).toBe('k');
  });
});
