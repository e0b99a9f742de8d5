import type { Command } from 'commander';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import type { PlatformName } from '../core/platform/platform.js';
import type { PlatformOptions } from '../platforms/platform-registry.js';

export interface ClusterFlags {
  context?: string;
  namespace?: string;
  kubeconfig?: string;
  allowlist?: string;
  image?: string;
}

/** Where on an existing cluster, for the commands that bring a stack up (up, run, gate, chaos). */
export function withClusterFlags(command: Command): Command {
  return command
    .option(
      '--context <name>',
      '--platform cluster: the kubeconfig context (it must be in the cluster allowlist)',
    )
    .option(
      '--namespace <name>',
      '--platform cluster: a namespace you created and labelled gauntlet.dev/chaos=allowed',
    )
    .option(
      '--kubeconfig <file>',
      '--platform cluster: the kubeconfig (default: $KUBECONFIG, else ~/.kube/config)',
    )
    .option(
      '--allowlist <file>',
      '--platform cluster: the allowlist (default: $GAUNTLET_HOME/cluster-allowlist.yaml)',
    )
    .option('--image <ref>', "--platform cluster: the stack image as the cluster's nodes pull it");
}

/** The cluster target of the flags; refuses them with any other platform, where they would be ignored. */
export function platformOptionsOf(platform: PlatformName, flags: ClusterFlags): PlatformOptions {
  const given = (['context', 'namespace', 'kubeconfig', 'allowlist', 'image'] as const).filter(
    (name) => flags[name] !== undefined,
  );
  if (platform !== 'cluster') {
    if (given.length > 0)
      throw new UserFacingError(`${given.map((g) => `--${g}`).join(', ')}: only with --platform cluster`);
    return {};
  }
  return {
    cluster: {
      context: flags.context,
      namespace: flags.namespace,
      kubeconfig: flags.kubeconfig,
      allowlist: flags.allowlist,
      image: flags.image,
    },
  };
}
