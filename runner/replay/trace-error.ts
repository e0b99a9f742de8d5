import { UserFacingError } from '../../core/errors/user-facing-error.js';

/**
 * A trace the replay cannot use, said the way a user fixes it: which file, which line, which field, what it
 * held and what is allowed. Printed without a stack trace (exit 3).
 */
export class TraceError extends UserFacingError {
  constructor(file: string, line: number | undefined, field: string | undefined, problem: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(`trace ${where}: ${field === undefined ? '' : `${field}: `}${problem}`);
  }
}

/** A value as an error message quotes it: short, and visibly empty when empty. */
export function quoted(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text === undefined ? 'nothing' : text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return `'${short}'`;
}
