import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { type ClusterFlags, platformOptionsOf, withClusterFlags } from './cluster-flags.js';

/** The flags as commander parses them from a command line (`gauntlet up ...`), errors thrown, not printed. */
function parsed(args: string[]): ClusterFlags {
  const command = withClusterFlags(new Command('up'), { apiKey: true })
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  command.parse(args, { from: 'user' });
  return command.opts<ClusterFlags>();
}

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

  it('take --overlay sim or a100 for a deploy, and leave the default (sim) to the platform', () => {
    expect(parsed(['--overlay', 'a100']).overlay).toBe('a100');
    expect(parsed(['--overlay', 'sim']).overlay).toBe('sim');
    expect(parsed([]).overlay, 'no default here: a default would count as given').toBeUndefined();
    expect(
      platformOptionsOf('cluster', { context: 'c', namespace: 'n', ...parsed(['--overlay', 'a100']) }).cluster
        ?.overlay,
    ).toBe('a100');
    expect(platformOptionsOf('cluster', { context: 'c', namespace: 'n' }).cluster?.overlay).toBeUndefined();
  });

  it('refuse an unknown --overlay, naming the allowed ones', () => {
    expect(() => parsed(['--overlay', 'h100'])).toThrow(
      `option '--overlay <name>' argument 'h100' is invalid. must be one of sim, a100, a100-vllm (got "h100")`,
    );
  });

  it('refuse --overlay with --attach and off the cluster platform', () => {
    expect(() => platformOptionsOf('cluster', parsed(['--attach', '--overlay', 'a100']))).toThrow(
      '--overlay: an attached stack is not deployed by Gauntlet',
    );
    expect(() => platformOptionsOf('kind', parsed(['--overlay', 'sim']))).toThrow(
      '--overlay: only with --platform cluster',
    );
  });
});
