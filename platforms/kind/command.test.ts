import { describe, expect, it } from 'vitest';
import { command } from './command.js';

describe('command', () => {
  it('feeds stdin and returns stdout', async () => {
    expect(await command('cat', [], { input: 'hello', timeoutMs: 10_000 })).toBe('hello');
  });

  it('survives a command that exits without reading its input', async () => {
    expect(await command('true', [], { input: 'x'.repeat(1 << 20), timeoutMs: 10_000 })).toBe('');
  });

  it('rejects with the command line, exit status and stderr', async () => {
    await expect(command('sh', ['-c', 'echo broken >&2; exit 3'], { timeoutMs: 10_000 })).rejects.toThrow(
      /sh -c echo broken >&2; exit 3: exit 3\nbroken/,
    );
  });

  it('kills a command that outlives its time limit', async () => {
    await expect(command('sleep', ['5'], { timeoutMs: 200 })).rejects.toThrow('killed after 200 ms');
  });
});
