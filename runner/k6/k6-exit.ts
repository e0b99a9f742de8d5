/** k6's exit codes (errext/exitcodes/codes.go in k6 v1.8.1) that the harness tells apart. */
export const k6ExitCodes = {
  thresholdsHaveFailed: 99,
  setupTimeout: 100,
  teardownTimeout: 101,
  invalidConfig: 104,
  externalAbort: 105,
  scriptException: 107,
  scriptAborted: 108,
  goPanic: 109,
  markedAsFailed: 110,
} as const;

const meanings: Record<number, string> = {
  100: 'setup() timed out',
  101: 'teardown() timed out',
  104: 'invalid configuration',
  106: 'the REST API could not start',
  107: 'the script threw an exception',
  109: 'k6 panicked',
  110: 'the script marked the test as failed',
};

/** Why the run ended early, when it did. */
export type AbortReason = 'stopped' | 'signal' | 'thresholds' | 'script' | 'killed' | 'error';

export interface K6Ending {
  /** Exit 99: a threshold failed (at the end, or during the run with abortOnFail). */
  thresholdsFailed: boolean;
  /** The test did not run its full schedule. */
  aborted: boolean;
  abortReason: AbortReason | undefined;
  /** k6's own failure (bad script or configuration, crash), with the log lines that say why. */
  failure: string | undefined;
}

/** The message k6 logs when an abortOnFail threshold stops the test (internal/metrics/engine/engine.go). */
const thresholdAbortMarker = 'abortOnFail enabled, stopping test prematurely';

/**
 * Reads k6's exit: the code, the signal that killed it, whether the harness asked it to stop, and its log
 * (which tells a threshold that aborted the run from one that failed at the end; both exit 99).
 */
export function interpretK6Exit(
  code: number | null,
  signal: NodeJS.Signals | null,
  log: string,
  stopRequested: boolean,
): K6Ending {
  const ending = (abortReason: AbortReason | undefined, failure?: string): K6Ending => ({
    thresholdsFailed: code === k6ExitCodes.thresholdsHaveFailed,
    aborted: abortReason !== undefined,
    abortReason,
    failure,
  });
  // An exception inside an iteration does not stop k6 (it logs it with source=stacktrace and goes on), but
  // the iteration recorded no sample: the run measured less than it planned, a harness error, not a verdict.
  const thrown = log.split('\n').filter((line) => line.includes('source=stacktrace'));
  const scriptError =
    thrown.length > 0
      ? `the k6 script threw in ${thrown.length} iteration${thrown.length === 1 ? '' : 's'}:\n${thrown.slice(0, 5).join('\n')}`
      : undefined;
  if (code === 0) return { ...ending(undefined), failure: scriptError };
  if (code === k6ExitCodes.thresholdsHaveFailed) {
    return { ...ending(log.includes(thresholdAbortMarker) ? 'thresholds' : undefined), failure: scriptError };
  }
  if (code === k6ExitCodes.externalAbort) return ending(stopRequested ? 'stopped' : 'signal');
  if (code === k6ExitCodes.scriptAborted) {
    return ending('script', `the k6 script aborted the test (exit 108):\n${errorLines(log)}`);
  }
  if (code === null) {
    const how = `k6 was killed by ${signal ?? 'a signal'}`;
    return ending(
      stopRequested ? 'stopped' : 'killed',
      stopRequested ? undefined : `${how}\n${errorLines(log)}`,
    );
  }
  const meaning = meanings[code] ? ` (${meanings[code]})` : '';
  return ending('error', `k6 exited with code ${code}${meaning}:\n${errorLines(log)}`);
}

/** The log's error lines (k6 logs `level=error`), else its last lines. */
function errorLines(log: string): string {
  const lines = log.split('\n');
  const errors = lines.filter((line) => /level=(error|fatal)/.test(line) || line.startsWith('ERRO'));
  return (errors.length > 0 ? errors.slice(-10) : lines.slice(-15)).join('\n').trim() || '(empty log)';
}
