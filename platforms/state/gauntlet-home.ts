import { join } from 'node:path';

/** Gauntlet's working folder: run folders and the state of live stacks. `GAUNTLET_HOME` overrides it. */
export function gauntletHome(): string {
  return process.env.GAUNTLET_HOME ?? join(process.cwd(), '.gauntlet');
}

export const stateDir = () => join(gauntletHome(), 'state');
export const runsDir = () => join(gauntletHome(), 'runs');
