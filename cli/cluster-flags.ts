import { type Command, InvalidArgumentError } from 'commander';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import type { PlatformName } from '../core/platform/platform.js';
import {
  type AttachRole,
  attachRoles,
  type LabelSelector,
  parseLabelSelector,
} from '../platforms/cluster/discover-components.js';
import {
  defaultStackOverlay,
  isStackOverlayName,
  type StackOverlayName,
  stackOverlayNames,
} from '../platforms/cluster/stack-overlays.js';
import type { PlatformOptions } from '../platforms/platform-registry.js';

export interface ClusterFlags {
  context?: string;
  namespace?: string;
  kubeconfig?: string;
  allowlist?: string;
  image?: string;
  overlay?: StackOverlayName;
  attach?: boolean;
  selector?: Partial<Record<AttachRole, LabelSelector>>;
  apiKey?: string;
  adminToken?: string;
  gatewayService?: string;
}

const clusterOnly = [
  'context',
  'namespace',
  'kubeconfig',
  'allowlist',
  'image',
  'overlay',
  'attach',
  'selector',
  'adminToken',
  'gatewayService',
] as const;
const attachOnly = ['selector', 'adminToken', 'gatewayService'] as const;
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** `--overlay NAME`: one of the deploy/k8s overlays the cluster platform knows. */
export function parseOverlayFlag(value: string): StackOverlayName {
  if (!isStackOverlayName(value)) {
    throw new InvalidArgumentError(`must be one of ${stackOverlayNames.join(', ')} (got "${value}")`);
  }
  return value;
}

/** `--selector ROLE=SELECTOR`, repeatable: one label selector per role. */
function parseSelectorFlag(
  value: string,
  previous: Partial<Record<AttachRole, LabelSelector>> = {},
): Partial<Record<AttachRole, LabelSelector>> {
  const at = value.indexOf('=');
  const role = value.slice(0, at) as AttachRole;
  if (at < 0 || !attachRoles.includes(role)) {
    throw new InvalidArgumentError(
      `ROLE=KEY=VALUE[,KEY=VALUE], ROLE one of ${attachRoles.join(', ')} (got "${value}")`,
    );
  }
  try {
    return { ...previous, [role]: parseLabelSelector(value.slice(at + 1)) };
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * Where on an existing cluster, for the commands that bring a stack up (up, run, gate, chaos). `apiKey`:
 * also add `--api-key` (run and gate have it already, for --target).
 */
export function withClusterFlags(command: Command, options: { apiKey: boolean }): Command {
  command
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
    .option('--image <ref>', "--platform cluster: the stack image as the cluster's nodes pull it")
    // No commander default: a default would count as given, and the flag is refused off the cluster platform.
    .option(
      '--overlay <name>',
      `--platform cluster: the deploy/k8s overlay to deploy, ${stackOverlayNames.join(' or ')} (default: ${defaultStackOverlay}, simulated workers; a100: 2 GPUs per worker pod, worker.tensor_parallel: 2)`,
      parseOverlayFlag,
    )
    .option(
      '--attach',
      '--platform cluster: use the stack already in the namespace; create and delete nothing',
    )
    .option(
      '--selector <role=selector>',
      '--attach: the pods of a role, e.g. worker=app=vllm (repeatable; default gauntlet.dev/role=ROLE)',
      parseSelectorFlag,
    )
    .option(
      '--admin-token <token>',
      "--attach: the workers' admin token (default: from the gauntlet-secrets Secret)",
    )
    .option('--gateway-service <name>', "--attach: the gateway's Service (default: gateway)");
  if (options.apiKey) {
    command.option(
      '--api-key <key>',
      "--attach: the gateway's API key (default: from the gauntlet-secrets Secret)",
    );
  }
  return command;
}

/** The cluster target of the flags; refuses them with any other platform, where they would be ignored. */
export function platformOptionsOf(platform: PlatformName, flags: ClusterFlags): PlatformOptions {
  const given = clusterOnly.filter((name) => flags[name] !== undefined);
  if (platform !== 'cluster') {
    if (given.length > 0)
      throw new UserFacingError(`${given.map(flagName).join(', ')}: only with --platform cluster`);
    return {};
  }
  const attachFlags = attachOnly.filter((name) => flags[name] !== undefined);
  if (!flags.attach && attachFlags.length > 0) {
    throw new UserFacingError(`${attachFlags.map(flagName).join(', ')}: only with --attach`);
  }
  if (flags.attach && flags.image)
    throw new UserFacingError('--image: an attached stack is not deployed by Gauntlet');
  if (flags.attach && flags.overlay)
    throw new UserFacingError('--overlay: an attached stack is not deployed by Gauntlet');
  return {
    cluster: {
      context: flags.context,
      namespace: flags.namespace,
      kubeconfig: flags.kubeconfig,
      allowlist: flags.allowlist,
      image: flags.image,
      overlay: flags.overlay,
      attach: flags.attach,
      selectors: flags.selector,
      apiKey: flags.attach ? flags.apiKey : undefined,
      adminToken: flags.adminToken,
      gatewayService: flags.gatewayService,
    },
  };
}
