// k6 provides console (log, info, warn, error, debug) but @types/k6 does not declare it. Declared as an
// interface plus `var` so that it merges with @types/node's when a test file brings those in.
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}
declare var console: Console;
