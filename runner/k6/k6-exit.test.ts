import { describe, expect, it } from 'vitest';
import { interpretK6Exit } from './k6-exit.js';

const abortLog =
  'time="..." level=error msg="thresholds on metrics \'gauntlet_e2e_ms{phase:ramp}\' were crossed; at least one has abortOnFail enabled, stopping test prematurely"';
const exceptionLog = [
  'time="..." level=info msg="starting"',
  'time="..." level=error msg="Error: RATE: must be a number" hint="script exception"',
  'summary line',
].join('\n');

describe('interpretK6Exit', () => {
  it('reads a clean run and failed thresholds', () => {
    expect(interpretK6Exit(0, null, '', false)).toEqual({
      thresholdsFailed: false,
      aborted: false,
      abortReason: undefined,
      failure: undefined,
    });
    expect(interpretK6Exit(99, null, 'summary', false)).toMatchObject({
      thresholdsFailed: true,
      aborted: false,
    });
    expect(interpretK6Exit(99, null, abortLog, false)).toMatchObject({
      thresholdsFailed: true,
      aborted: true,
      abortReason: 'thresholds',
    });
  });

  it('tells stops asked for from signals and crashes', () => {
    expect(interpretK6Exit(105, null, '', true)).toMatchObject({ aborted: true, abortReason: 'stopped' });
    expect(interpretK6Exit(105, null, '', false)).toMatchObject({ aborted: true, abortReason: 'signal' });
    const aborted = interpretK6Exit(108, null, '', false);
    expect(aborted).toMatchObject({ aborted: true, abortReason: 'script' });
    expect(aborted.failure).toMatch(/^the k6 script aborted the test/);
    expect(interpretK6Exit(null, 'SIGKILL', '', true)).toMatchObject({
      abortReason: 'stopped',
      failure: undefined,
    });
    const killed = interpretK6Exit(null, 'SIGKILL', exceptionLog, false);
    expect(killed).toMatchObject({ abortReason: 'killed' });
    expect(killed.failure).toContain('k6 was killed by SIGKILL');
  });

  it("quotes k6's error lines when it fails", () => {
    const ending = interpretK6Exit(107, null, exceptionLog, false);
    expect(ending).toMatchObject({ aborted: true, abortReason: 'error' });
    expect(ending.failure).toBe(
      'k6 exited with code 107 (the script threw an exception):\n' +
        'time="..." level=error msg="Error: RATE: must be a number" hint="script exception"',
    );
    expect(interpretK6Exit(1, null, 'line a\nline b', false).failure).toBe(
      'k6 exited with code 1:\nline a\nline b',
    );
    // An exception inside iterations: k6 exits 0 and goes on, but those iterations recorded nothing.
    const thrown =
      'time="..." level=error msg="TypeError: x is undefined\n\tat run (file:///s.ts:3:4)" executor=constant-arrival-rate scenario=steady source=stacktrace';
    const ran = interpretK6Exit(0, null, `${thrown}\n${thrown}`, false);
    expect(ran.aborted).toBe(false);
    expect(ran.failure).toMatch(/^the k6 script threw in 2 iterations:/);
  });
});
