import { InvalidArgumentError } from 'commander';

/** "30s", "2m", "1h", "1m30s" or plain seconds, to seconds. */
export function parseDurationS(value: string): number {
  const plain = Number(value);
  if (value.trim() !== '' && Number.isFinite(plain)) {
    if (plain <= 0) throw new InvalidArgumentError('must be > 0 (e.g. 30s, 2m, 1h)');
    return plain;
  }
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(value.trim());
  if (!match || value.trim() === '')
    throw new InvalidArgumentError('must be a duration like 30s, 2m, 1h or 1m30s');
  const seconds = Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
  if (seconds <= 0) throw new InvalidArgumentError('must be > 0');
  return seconds;
}

export function positiveNumber(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max)
      throw new InvalidArgumentError(`${name} must be a number in (0, ${max}]`);
    return n;
  };
}

/** A share in [0, 1]: "0.5" (or "50%"). */
export function fraction(name: string) {
  return (value: string): number => {
    const text = value.trim();
    const n = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
    if (text === '' || !Number.isFinite(n) || n < 0 || n > 1)
      throw new InvalidArgumentError(
        `${name} must be a share between 0 and 1 (or 0% to 100%), got '${value}'`,
      );
    return n;
  };
}

export function nonNegativeInt(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > max)
      throw new InvalidArgumentError(`${name} must be an integer in [0, ${max}]`);
    return n;
  };
}

/** Repeatable KEY=VALUE, collected into an object. */
export function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('must be KEY=VALUE');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
