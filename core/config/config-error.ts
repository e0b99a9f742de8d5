/** One problem in a user's file: where it is and what is allowed. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  /** Dotted field path, e.g. `batchers.max_batch_size` or `nodes[1].name`. */
  field: string;
  message: string;
}

/**
 * A mistake in user input (config, SLO file, experiment, CLI flag). The CLI prints `message` alone and
 * exits 3; it never shows a stack trace for these.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly issues: ConfigIssue[],
    summary?: string,
  ) {
    super(summary ?? issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
