import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { command } from '../kind/command.js';
import type { KubeObject } from '../kind/kustomize-render.js';

/** The Secret the reference manifests' pods read their admin token and API key from. */
export const stackSecretName = 'gauntlet-secrets';

/**
 * Whether the rendered overlay brings its own `gauntlet-secrets` (the sim overlay's generator, which the
 * run fills with fresh values) or leaves it to the operator (the a100 overlay: a real cluster's
 * credentials are not the repository's, nor a run's).
 */
export function overlayHasSecret(objects: readonly KubeObject[]): boolean {
  return objects.some((o) => o.kind === 'Secret' && o.metadata.name.startsWith(stackSecretName));
}

export interface StackCredentials {
  apiKey: string;
  adminToken: string;
}

/**
 * The operator's `gauntlet-secrets` in the namespace, for a deploy whose overlay has none: the gateway
 * takes its API key from it and the workers their admin token, so the load and the GPU faults must use
 * the same. Refuses (exit 3, before anything is applied) when it is missing or lacks a key, with the
 * command that creates it.
 */
export async function readOperatorSecret(
  kubectl: string,
  kubectlArgs: readonly string[],
  namespace: string,
): Promise<StackCredentials> {
  const output = await command(
    kubectl,
    [...kubectlArgs, 'get', 'secret', stackSecretName, '--ignore-not-found', '-o', 'json'],
    { timeoutMs: 60_000 },
  );
  return credentialsOf(output, namespace);
}

/** The credentials in `kubectl get secret -o json` output, or the refusal that says what to create. Pure. */
export function credentialsOf(output: string, namespace: string): StackCredentials {
  const create = `kubectl create secret generic ${stackSecretName} -n ${namespace} --from-literal=admin-token=<token> --from-literal=api-key=<key>`;
  if (output.trim() === '') {
    throw new UserFacingError(
      `refused: this overlay takes its credentials from a Secret ${stackSecretName} in namespace ${namespace}, and there is none; create it: ${create}`,
    );
  }
  const data = (JSON.parse(output) as { data?: Record<string, string> }).data ?? {};
  const value = (key: string) => {
    const encoded = data[key];
    return encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  };
  const apiKey = value('api-key');
  const adminToken = value('admin-token');
  const missing = [apiKey ? '' : 'api-key', adminToken ? '' : 'admin-token'].filter(Boolean);
  if (missing.length > 0) {
    throw new UserFacingError(
      `refused: Secret ${stackSecretName} in namespace ${namespace} has no ${missing.join(' and no ')}; the stack needs both (${create})`,
    );
  }
  return { apiKey, adminToken };
}
