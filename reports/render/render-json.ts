import type { RunResult } from '../run-result.js';

/** run.json: the RunResult as stable, indented JSON. */
export function renderJson(run: RunResult): string {
  return `${JSON.stringify(run, null, 2)}\n`;
}
