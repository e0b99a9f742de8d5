/**
 * Typed readers of environment variables (k6's __ENV), each failing with the variable's name, what it
 * got and what is allowed, so that a typo stops the run in k6's init phase instead of skewing it.
 */
export type Env = Readonly<Record<string, string | undefined>>;

const durationPart = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const durationWhole = /^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/;
const unitSeconds: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** Parses a k6-style duration (`90s`, `5m`, `1h30m`, `250ms`) or plain seconds (`90`) into seconds. */
export function parseDurationS(text: string, variable: string): number {
  const value = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value);
  if (!durationWhole.test(value)) {
    throw new Error(`${variable}: '${text}' is not a duration (examples: 90, 90s, 5m, 1h30m, 250ms)`);
  }
  let seconds = 0;
  durationPart.lastIndex = 0;
  // Bounded by the text's length: every match consumes at least two characters.
  for (let match = durationPart.exec(value); match !== null; match = durationPart.exec(value)) {
    seconds += Number(match[1]) * (unitSeconds[match[2] ?? 's'] ?? 1);
  }
  return seconds;
}

function present(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function stringVar(env: Env, name: string): string | undefined {
  return present(env, name);
}

export function numberVar(
  env: Env,
  name: string,
  fallback: number,
  limits: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const text = present(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const { min, max, integer } = limits;
  const wanted = [
    integer ? 'an integer' : 'a number',
    min === undefined ? '' : `>= ${min}`,
    max === undefined ? '' : `<= ${max}`,
  ]
    .filter(Boolean)
    .join(' ');
  if (
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    (min !== undefined && value < min) ||
    (max !== undefined && value > max)
  ) {
    throw new Error(`${name}: must be ${wanted}, got '${text}'`);
  }
  return value;
}

export function durationVar(env: Env, name: string, fallbackS: number, minS = 0): number {
  const text = present(env, name);
  if (text === undefined) return fallbackS;
  const seconds = parseDurationS(text, name);
  if (seconds < minS) throw new Error(`${name}: must be at least ${minS}s, got '${text}'`);
  return seconds;
}

export function booleanVar(env: Env, name: string, fallback: boolean): boolean {
  const text = present(env, name);
  if (text === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new Error(`${name}: must be true or false, got '${text}'`);
}
