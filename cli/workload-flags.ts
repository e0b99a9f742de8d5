import { type Command, InvalidArgumentError } from 'commander';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import { fraction } from './option-parsers.js';

/** The flags that shape the workload (scenarios/lib/workload.ts), as `gauntlet run` takes them. */
export interface WorkloadFlags {
  prefixShare?: number;
  prefixGroups?: number;
  turns?: number;
  conversations?: number;
  cancelShare?: number;
  cancelAfterMs?: number;
}

function integerIn(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

export function withWorkloadFlags(command: Command): Command {
  return command
    .option(
      '--prefix-share <share>',
      'share of each prompt taken from a shared prefix, 0-1 (the workers cache prefixes, as vLLM does)',
      fraction('--prefix-share'),
    )
    .option(
      '--prefix-groups <n>',
      'distinct shared prefixes (default 1)',
      integerIn('--prefix-groups', 1, 1_000_000),
    )
    .option(
      '--turns <n>',
      'turns of a conversation; each turn resends the ones before it (default 1)',
      integerIn('--turns', 1, 1_000),
    )
    .option(
      '--conversations <n>',
      'conversations in progress at once with --turns (default 8)',
      integerIn('--conversations', 1, 1_000_000),
    )
    .option(
      '--cancel-share <share>',
      'share of streamed requests whose client gives up midway, 0-1',
      fraction('--cancel-share'),
    )
    .option(
      '--cancel-after-ms <ms>',
      'when those clients give up, ms after sending (default 500)',
      integerIn('--cancel-after-ms', 1, 3_600_000),
    );
}

/**
 * The scenario variables of the workload flags, checked against the other variables the run passes: a
 * dataset (PROMPTS) brings its own prompts, so it cannot take a shared prefix or synthetic conversations.
 */
export function workloadEnv(
  flags: WorkloadFlags,
  env: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const vars: Record<string, string> = {};
  if (flags.prefixShare !== undefined) vars.PREFIX_SHARE = String(flags.prefixShare);
  if (flags.prefixGroups !== undefined) vars.PREFIX_GROUPS = String(flags.prefixGroups);
  if (flags.turns !== undefined) vars.TURNS = String(flags.turns);
  if (flags.conversations !== undefined) vars.CONVERSATIONS = String(flags.conversations);
  if (flags.cancelShare !== undefined) vars.CANCEL_SHARE = String(flags.cancelShare);
  if (flags.cancelAfterMs !== undefined) vars.CANCEL_AFTER_MS = String(flags.cancelAfterMs);
  const synthetic = (flags.prefixShare ?? 0) > 0 || (flags.turns ?? 1) > 1;
  if (synthetic && env.PROMPTS) {
    throw new UserFacingError(
      `${(flags.prefixShare ?? 0) > 0 ? '--prefix-share' : '--turns'} works with synthetic prompts only; ` +
        `--env PROMPTS=${env.PROMPTS} brings its own prompts (drop one of the two)`,
    );
  }
  for (const name of Object.keys(vars)) {
    if (env[name] !== undefined && env[name] !== vars[name]) {
      throw new UserFacingError(
        `--env ${name}=${env[name]} contradicts its flag (${name}=${vars[name]}); give one`,
      );
    }
  }
  return vars;
}

/** The workload as run.json records it: every option, defaults included, so a rerun sends the same requests. */
export function workloadRecord(vars: Readonly<Record<string, string>>): Record<string, number> {
  return {
    prefixShare: Number(vars.PREFIX_SHARE ?? 0),
    prefixGroups: Number(vars.PREFIX_GROUPS ?? 1),
    turns: Number(vars.TURNS ?? 1),
    conversations: Number(vars.CONVERSATIONS ?? 8),
    cancelShare: Number(vars.CANCEL_SHARE ?? 0),
    cancelAfterMs: Number(vars.CANCEL_AFTER_MS ?? 500),
  };
}
