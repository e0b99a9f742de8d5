import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}
type StartProgress = (label: string, expected?: string) => { stop(): void };
interface ProgressModule {
  progressReporter(options: { stream: Stream; intervalMs?: number; now?: () => number }): StartProgress;
}

const modulePath = join(fileURLToPath(new URL('.', import.meta.url)), 'progress.js');
const { progressReporter } = (await import(modulePath)) as ProgressModule;

function recorder(isTTY: boolean): Stream & { text: string } {
  const stream = {
    isTTY,
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  };
  return stream;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('progressReporter', () => {
  it('in a log: one line every interval with the elapsed time, nothing after stop', () => {
    const stream = recorder(false);
    const start = progressReporter({ stream, intervalMs: 20_000, now: () => Date.now() });
    const progress = start('k6: building v1.8.1', '~6 min on 2 cores');
    vi.advanceTimersByTime(19_999);
    expect(stream.text).toBe('');
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(20_000);
    expect(stream.text).toBe(
      'k6: building v1.8.1… 20 s (~6 min on 2 cores)\nk6: building v1.8.1… 40 s (~6 min on 2 cores)\n',
    );
    progress.stop();
    vi.advanceTimersByTime(60_000);
    expect(stream.text.split('\n')).toHaveLength(3);
  });

  it('on a terminal: one line rewritten in place every second, cleared by stop', () => {
    const stream = recorder(true);
    const progress = progressReporter({ stream, now: () => Date.now() })('npm ci');
    vi.advanceTimersByTime(2_000);
    expect(stream.text).toBe('\r\x1b[2Knpm ci… 0.0 s\r\x1b[2Knpm ci… 1.0 s\r\x1b[2Knpm ci… 2.0 s');
    progress.stop();
    expect(stream.text.endsWith('\r\x1b[2K')).toBe(true);
    expect(stream.text).not.toContain('\n');
    const before = stream.text;
    vi.advanceTimersByTime(5_000);
    expect(stream.text).toBe(before);
  });

  it('refuses an interval that would flood the log', () => {
    expect(() => progressReporter({ stream: recorder(false), intervalMs: 10 })).toThrow(
      'progressReporter: intervalMs must be a number >= 100, got 10',
    );
  });
});
