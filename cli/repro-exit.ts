import { exitCodes } from '../core/exit-codes.js';
import type { ReproOutcome } from '../reports/compare/repro-verdict.js';

/**
 * `gauntlet repro` and `gauntlet ab`: 0 reproduced (ab: B does not differ significantly from A), 1 not
 * reproduced (ab: B differs), 2 inconclusive, and as everywhere 3 for a harness or input error and 130
 * when interrupted.
 */
export function exitCodeForRepro(outcome: ReproOutcome): number {
  if (outcome === 'reproduced') return exitCodes.pass;
  if (outcome === 'not reproduced') return exitCodes.fail;
  return exitCodes.inconclusive;
}
