/** Exit codes a CI job can gate on. */
export const exitCodes = {
  pass: 0,
  fail: 1,
  inconclusive: 2,
  /** Harness or config error: the run could not judge anything. */
  error: 3,
  interrupted: 130,
} as const;
