import { SharedArray } from 'k6/data';
import type { PromptSource } from '../config.ts';
import type { PromptPool } from '../plan-request.ts';
import { parseShareGpt } from '../sharegpt.ts';

/**
 * The dataset's prompts in a SharedArray: parsed once, held once, read by every VU. Call it from the init
 * context (module top level of a scenario file): k6 allows open() nowhere else. Relative paths are taken
 * from the working directory (k6 would otherwise resolve them against this file's folder).
 */
export function loadPromptPool(source: PromptSource, env: Readonly<Record<string, string | undefined>>) {
  if (source.kind !== 'file') return undefined;
  const path = source.path.startsWith('/') || !env.PWD ? source.path : `${env.PWD}/${source.path}`;
  const prompts = new SharedArray(
    'gauntlet-prompts',
    () => parseShareGpt(open(path), `PROMPTS=${path}`).prompts,
  );
  const pool: PromptPool = {
    length: prompts.length,
    at: (index) => prompts[index] as string,
  };
  return pool;
}
