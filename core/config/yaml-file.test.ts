import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { parseYamlWith } from './yaml-file.js';

// Shaped like a chaos experiment's faults: a discriminated union whose members have their own params.
const faultSchema = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('gpu-slowdown'),
    params: z.strictObject({ factor: z.number().min(1) }),
  }),
  z.strictObject({
    action: z.literal('network-latency'),
    params: z.strictObject({ link: z.string(), latencyMs: z.number(), jitterMs: z.number().default(0) }),
  }),
]);
const fileSchema = z.strictObject({ name: z.string(), faults: z.array(faultSchema).default([]) });

function errorOf(text: string): ConfigError {
  try {
    parseYamlWith(fileSchema, text, 'exp.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('unknown keys inside a union', () => {
  it('lists the params the matched fault allows for a misspelled param key', () => {
    const error = errorOf(
      [
        'name: slow',
        'faults:',
        '  - action: gpu-slowdown',
        '    params: { factor: 2 }',
        '  - action: network-latency',
        '    params:',
        '      link: gateway-batcher',
        '      latencyMs: 50',
        '      jiterMs: 5',
      ].join('\n'),
    );
    expect(error.message).toContain('unknown field "jiterMs"; allowed: link, latencyMs, jitterMs');
    expect(error.issues[0]).toMatchObject({ file: 'exp.yaml', line: 9, field: 'faults[1].params.jiterMs' });
  });

  it('lists the fault keys of the matched member for an unknown key on the fault itself', () => {
    const error = errorOf(['name: slow', 'faults:', '  - action: gpu-slowdown', '    param: {}'].join('\n'));
    expect(error.message).toContain('unknown field "param"; allowed: action, params');
  });
});
