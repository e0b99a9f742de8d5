import type { RunResult } from '../run-result.js';

/**
 * What differs between two runs besides the stack's behaviour: the Gauntlet version and commit, the load
 * generator's version, and the stack's config (field by field). Each line is a warning: any of these
 * can explain a difference that `repro` or `ab` then reports.
 */
export function environmentDifferences(original: RunResult, rerun: RunResult): string[] {
  const out: string[] = [];
  const a = original.versions;
  const b = rerun.versions;
  if (a.gauntlet !== b.gauntlet)
    out.push(`Gauntlet version differs: ${a.gauntlet} originally, ${b.gauntlet} now`);
  if (original.gitCommit !== rerun.gitCommit && original.gitCommit !== null && rerun.gitCommit !== null)
    out.push(`Gauntlet commit differs: ${original.gitCommit} originally, ${rerun.gitCommit} now`);
  if (a.k6 !== b.k6)
    out.push(`k6 version differs: ${a.k6 ?? 'unknown'} originally, ${b.k6 ?? 'unknown'} now`);
  if (a.node !== b.node) out.push(`Node.js version differs: ${a.node} originally, ${b.node} now`);
  const before = original.config.cluster;
  const after = rerun.config.cluster;
  if (before === null || after === null) {
    if (before !== after || original.target.kind === 'url' || rerun.target.kind === 'url')
      out.push(
        `stack config unknown for the ${before === null ? 'original run' : 'rerun'} (a --target stack): it cannot be checked`,
      );
  } else {
    const changed = configChanges(before, after);
    if (changed.length > 0) out.push(`stack config differs: ${changed.join('; ')}`);
  }
  if (original.target.kind === 'platform' && rerun.target.kind === 'platform') {
    if (original.target.platform !== rerun.target.platform)
      out.push(`platform differs: ${original.target.platform} originally, ${rerun.target.platform} now`);
  } else if (original.target.kind !== rerun.target.kind) {
    out.push(`target differs: ${describeTarget(original)} originally, ${describeTarget(rerun)} now`);
  }
  return out;
}

/** `path: before -> after` for every leaf that differs, in a stable order. */
export function configChanges(before: unknown, after: unknown, path = ''): string[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => configChanges(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [`${path || '(root)'}: ${show(before)} -> ${show(after)}`];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function show(x: unknown): string {
  return x === undefined ? '(absent)' : JSON.stringify(x);
}

function describeTarget(run: RunResult): string {
  return run.target.kind === 'url' ? run.target.url : `platform ${run.target.platform}`;
}
