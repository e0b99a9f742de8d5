import { z } from 'zod';

/**
 * Typed builders for request fields. Each schema's error message for a wrong type is the expectation
 * alone ("a boolean"); `parseRequest` turns it into OpenAI's wording with the field and the type received.
 * Range and value checks carry their own message ("must be at most 2").
 */
const expected = (what: string) => ({ error: () => what });

export const string = () => z.string(expected('a string'));
export const boolean = () => z.boolean(expected('a boolean'));
export const number = () => z.number(expected('a number'));
export const integer = () => z.number(expected('an integer')).int('an integer');
export const object = <T extends z.core.$ZodLooseShape>(shape: T) => z.object(shape, expected('an object'));
export const anyObject = () => z.record(z.string(), z.unknown(), expected('an object'));
export const arrayOf = <T extends z.ZodType>(item: T, what: string) => z.array(item, expected(what));

export const between = (min: number, max: number) =>
  number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
export const integerBetween = (min: number, max: number) =>
  integer().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
export const atLeast = (min: number) => integer().min(min, `must be at least ${min}`);
export const tokenCount = (limit: number) =>
  integer().min(1, 'must be at least 1').max(limit, `must be at most ${limit}`);

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => {
  const allowed = `one of ${values.join(', ')}`;
  return z.string(expected(allowed)).pipe(z.enum(values, `must be ${allowed}`));
};

/** A string or an array of strings; the array's length is a value check (`Invalid 'stop': ...`). */
export const stringOrStrings = (items: { min: number; max?: number }) =>
  z
    .union([z.string(), z.array(z.string())], expected('a string or an array of strings'))
    .refine(
      (value) =>
        typeof value === 'string' ||
        (value.length >= items.min && (items.max === undefined || value.length <= items.max)),
      items.max === undefined
        ? `an array must hold at least ${items.min} string${items.min === 1 ? '' : 's'}`
        : `an array must hold ${items.min} to ${items.max} strings`,
    );

/** The kind of a JSON value in OpenAI's error wording ("but got a decimal instead"). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
