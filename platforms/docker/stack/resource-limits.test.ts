import { describe, expect, it } from 'vitest';
import { dockerLimits, parseCpu, parseMemory } from './resource-limits.js';

describe('resource limits', () => {
  it('reads CPUs as numbers, strings and millicores', () => {
    expect(parseCpu(2)).toBe(2);
    expect(parseCpu('1.5')).toBe(1.5);
    expect(parseCpu('500m')).toBe(0.5);
  });

  it('reads memory in binary and decimal units', () => {
    expect(parseMemory('512Mi')).toBe(512 * 2 ** 20);
    expect(parseMemory('16Gi')).toBe(16 * 2 ** 30);
    expect(parseMemory('1G')).toBe(1e9);
    expect(parseMemory('104857600')).toBe(104857600);
  });

  it('names the field and what is allowed for bad values', () => {
    expect(() => parseCpu('two')).toThrow('resource_limits.cpu: must be a positive number');
    expect(() => parseCpu('0')).toThrow('(got "0")');
    expect(() => parseMemory('16GB')).toThrow('resource_limits.memory: must be a quantity');
    expect(() => parseMemory('1Ki')).toThrow('at least 6Mi');
  });

  it('caps CPUs at the machine and says so; leaves unset limits unset', () => {
    expect(dockerLimits({ cpu: '8', memory: '1Gi' }, 2)).toEqual({
      nanoCpus: 2e9,
      cappedCpus: 2,
      memoryBytes: 2 ** 30,
    });
    expect(dockerLimits({ cpu: '500m' }, 2)).toEqual({ nanoCpus: 5e8 });
    expect(dockerLimits({}, 2)).toEqual({});
  });
});
