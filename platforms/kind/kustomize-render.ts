import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

/** The fields every rendered Kubernetes object has; the rest is left to whoever reads it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderOptions {
  /** kubectl to run (its built-in kustomize renders); default `kubectl` on PATH. */
  kubectl?: string;
  timeoutMs?: number;
}

/** Renders a kustomization folder with `kubectl kustomize` and parses the objects. */
export async function renderKustomization(dir: string, options: RenderOptions = {}): Promise<KubeObject[]> {
  const kubectl = options.kubectl ?? 'kubectl';
  const timeoutMs = options.timeoutMs ?? 30_000;
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(kubectl, ['kustomize', dir], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(`cannot render ${dir}: ${kubectl} not found (bin/setup/kind.js builds one)`);
    }
    throw new Error(`kubectl kustomize ${dir} failed: ${failure.stderr?.trim() || failure.message}`);
  }
  return parseObjects(stdout, dir);
}

/** Parses a multi-document YAML stream of Kubernetes objects; `source` names it in errors. */
export function parseObjects(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) throw new Error(`${source}: document ${index + 1}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) {
      throw new Error(
        `${source}: document ${index + 1} is not a Kubernetes object (apiVersion, kind, metadata.name)`,
      );
    }
    objects.push(value);
  }
  return objects;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const metadata = v.metadata as Record<string, unknown> | undefined;
  return (
    typeof v.apiVersion === 'string' &&
    typeof v.kind === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof metadata.name === 'string'
  );
}
