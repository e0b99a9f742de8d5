// @ts-check
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where setup keeps tool builds, shared by every clone: `$XDG_CACHE_HOME` (or `~/.cache`) + `/gauntlet/...`.
 * CI jobs point XDG_CACHE_HOME into a folder their cache keeps.
 * @param {...string} parts
 */
export function gauntletCacheDir(...parts) {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'gauntlet', ...parts);
}
