import { InvalidArgumentError } from 'commander';
import { expect, it } from 'vitest';
import { keyValue, parseDurationS } from './option-parsers.js';

it('parses durations in the k6 style and rejects nonsense with what is allowed', () => {
  expect(parseDurationS('30')).toBe(30);
  expect(parseDurationS('30s')).toBe(30);
  expect(parseDurationS('2m')).toBe(120);
  expect(parseDurationS('1m30s')).toBe(90);
  expect(parseDurationS('1h')).toBe(3600);
  expect(() => parseDurationS('abc')).toThrow(InvalidArgumentError);
  expect(() => parseDurationS('0')).toThrow(/> 0/);
});

it('collects KEY=VALUE pairs', () => {
  expect(keyValue('B=2', keyValue('A=1'))).toEqual({ A: '1', B: '2' });
  expect(() => keyValue('nope')).toThrow(/KEY=VALUE/);
});
