import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from '../../core/config/yaml-file.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { gauntletHome } from '../state/gauntlet-home.js';

/**
 * The production interlock's first two gates. Gauntlet acts on an existing cluster only when (1) its
 * kubeconfig context is listed in an allowlist file the operator keeps, and (2) the namespace carries the
 * opt-in label: two independent opt-ins, one on the operator's machine and one in the cluster itself, so
 * a wrong `--context` or a typo in `--namespace` is refused before anything is read or written.
 */

/** The label a namespace must carry, with exactly this value, before Gauntlet deploys or injects there. */
export const optInLabel = { key: 'gauntlet.dev/chaos', value: 'allowed' } as const;

const share = z.number().min(0).max(1);

const contextEntrySchema = z
  .object({
    /** The kubeconfig context's name, exactly. */
    name: z.string().min(1),
    /** Only these namespaces (each must still carry the opt-in label); any labelled one when absent. */
    namespaces: z.array(z.string().min(1)).min(1).optional(),
    /** Largest share of one role's replicas one fault may act on. */
    maxRoleShare: share.default(0.5),
    /** Largest share of the nodes one node fault may act on (drain included). */
    maxNodeShare: share.default(0.34),
    /** Node kill and node freeze; cordon-and-drain only when false. */
    allowNodeLoss: z.boolean().default(false),
  })
  .strict();

export const allowlistSchema = z.object({ contexts: z.array(contextEntrySchema).min(1) }).strict();

export type Allowlist = z.output<typeof allowlistSchema>;
export type AllowedContext = Allowlist['contexts'][number];

/** `--allowlist FILE`, else `$GAUNTLET_HOME/cluster-allowlist.yaml`. */
export function allowlistPath(explicit?: string): string {
  return explicit ?? join(gauntletHome(), 'cluster-allowlist.yaml');
}

/** Loads the allowlist; a missing file is a refusal that shows the entry to write, a bad one a ConfigError. */
export function loadAllowlist(file: string, context: string): Allowlist {
  if (!existsSync(file)) {
    throw new UserFacingError(
      `refused: no cluster allowlist at ${file}. Gauntlet deploys to and injects faults into an existing ` +
        `cluster only when its context is listed there; to allow this one, write:\n` +
        `  contexts:\n    - name: ${context}\n` +
        '(or name another file with --allowlist)',
    );
  }
  return loadYamlFile(allowlistSchema, file);
}

export interface AdmitInput {
  allowlist: Allowlist;
  file: string;
  context: string;
  namespace: string;
  /** The namespace's labels as the API server has them; undefined when the namespace does not exist. */
  namespaceLabels: Readonly<Record<string, string>> | undefined;
}

export type Admission = { ok: true; entry: AllowedContext } | { ok: false; reason: string };

/**
 * Gate (1) alone, which needs no request to the cluster: the context is listed (and the namespace, if
 * the entry names some).
 */
export function admitContext(input: Omit<AdmitInput, 'namespaceLabels'>): Admission {
  const { allowlist, file, context, namespace } = input;
  const entry = allowlist.contexts.find((c) => c.name === context);
  if (!entry) {
    return {
      ok: false,
      reason:
        `refused: context "${context}" is not in the cluster allowlist ${file} ` +
        `(listed: ${allowlist.contexts.map((c) => c.name).join(', ')}); add it there to allow Gauntlet on it`,
    };
  }
  if (entry.namespaces && !entry.namespaces.includes(namespace)) {
    return {
      ok: false,
      reason: `refused: namespace "${namespace}" is not among the namespaces ${file} allows on context "${context}" (${entry.namespaces.join(', ')})`,
    };
  }
  return { ok: true, entry };
}

/** Gates (1) and (2): the context is listed (and the namespace, if the entry names some), and opted in. */
export function admit(input: AdmitInput): Admission {
  const listed = admitContext(input);
  if (!listed.ok) return listed;
  const { context, namespace } = input;
  if (input.namespaceLabels === undefined) {
    return {
      ok: false,
      reason:
        `refused: namespace "${namespace}" does not exist on context "${context}"; Gauntlet does not create ` +
        `namespaces on an existing cluster. Create it and opt it in: kubectl --context ${context} create namespace ${namespace} && ` +
        `kubectl --context ${context} label namespace ${namespace} ${optInLabel.key}=${optInLabel.value}`,
    };
  }
  const label = input.namespaceLabels[optInLabel.key];
  if (label !== optInLabel.value) {
    return {
      ok: false,
      reason:
        `refused: namespace "${namespace}" on context "${context}" has not opted in ` +
        `(label ${optInLabel.key} is ${label === undefined ? 'absent' : `"${label}"`}, needs "${optInLabel.value}"); ` +
        `to allow it: kubectl --context ${context} label namespace ${namespace} ${optInLabel.key}=${optInLabel.value}`,
    };
  }
  return listed;
}

/** The blast budget an admitted entry grants (chaos/experiment/blast-budget.ts). */
export function budgetOf(entry: AllowedContext, file: string) {
  return {
    maxRoleShare: entry.maxRoleShare,
    maxNodeShare: entry.maxNodeShare,
    allowNodeLoss: entry.allowNodeLoss,
    source: `the allowlist ${file} (context ${entry.name})`,
  };
}
