// @ts-check
// A progress display for one long step. On a terminal one line updates in place every second; in a log
// (CI, `npm start > file`) a new line every intervalMs, so a long build never looks hung and never floods.
import { progressLine } from './format.js';

/**
 * @typedef {object} ProgressOptions
 * @property {{ write(text: string): unknown, isTTY?: boolean }} stream where lines go (stderr)
 * @property {number} [intervalMs] non-TTY: how often a line is written (default 20,000)
 * @property {() => number} [now] clock, for tests
 */

/**
 * @typedef {{ stop(): void }} Progress
 * @typedef {(label: string, expected?: string) => Progress} StartProgress
 */

export const LOG_INTERVAL_MS = 20_000;
const TTY_INTERVAL_MS = 1_000;

/**
 * @param {ProgressOptions} options
 * @returns {StartProgress}
 */
export function progressReporter(options) {
  const { stream, intervalMs = LOG_INTERVAL_MS, now = Date.now } = options;
  if (!Number.isFinite(intervalMs) || intervalMs < 100) {
    throw new Error(`progressReporter: intervalMs must be a number >= 100, got ${intervalMs}`);
  }
  return (label, expected) => {
    const startedMs = now();
    const line = () => progressLine(label, now() - startedMs, expected);
    if (stream.isTTY) {
      // \r and "erase line": the same row is rewritten; stop() clears it so the next message starts clean.
      const draw = () => stream.write(`\r\x1b[2K${line()}`);
      draw();
      const timer = setInterval(draw, TTY_INTERVAL_MS);
      return {
        stop() {
          clearInterval(timer);
          stream.write('\r\x1b[2K');
        },
      };
    }
    const timer = setInterval(() => stream.write(`${line()}\n`), intervalMs);
    return {
      stop() {
        clearInterval(timer);
      },
    };
  };
}
