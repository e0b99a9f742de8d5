import { type Command, InvalidArgumentError } from 'commander';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import { maxReplayRequests } from '../runner/replay/build-schedule.js';
import { type PreparedReplay, prepareReplay } from '../runner/replay/prepare-replay.js';
import { type TraceFormat, traceFormats } from '../scenarios/lib/replay-schedule.ts';
import { positiveNumber } from './option-parsers.js';

export interface ReplayFlags {
  trace?: string;
  traceFormat?: TraceFormat;
  speedup?: number;
  maxRequests?: number;
}

function parseTraceFormat(value: string): TraceFormat {
  if (!(traceFormats as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${traceFormats.join(', ')}`);
  }
  return value as TraceFormat;
}

function requestCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > maxReplayRequests) {
    throw new InvalidArgumentError(`--max-requests must be an integer in [1, ${maxReplayRequests}]`);
  }
  return n;
}

/** The `replay` scenario's flags on `gauntlet run`. */
export function withReplayFlags(command: Command): Command {
  return command
    .option(
      '--trace <file>',
      'replay: the trace to fire (Azure LLM inference CSV, Mooncake-style JSONL, or a Gauntlet run folder / samples.ndjson)',
    )
    .option(
      '--trace-format <format>',
      `replay: ${traceFormats.join(' | ')} (default: from the file)`,
      parseTraceFormat,
    )
    .option(
      '--speedup <x>',
      'replay: divide trace time by this (2: twice as fast; default 1)',
      positiveNumber('--speedup', 10_000),
    )
    .option('--max-requests <n>', 'replay: fire only the first N requests of the trace', requestCount);
}

/**
 * For `run replay`: the trace read, checked and written as the schedule k6 fires (before any stack comes up);
 * --duration cuts the trace to its first D seconds. For other scenarios: the replay flags are refused.
 */
export function replayFromFlags(
  scenario: string,
  flags: ReplayFlags & { duration?: number },
  outDir: string,
): PreparedReplay | undefined {
  const given = (['trace', 'traceFormat', 'speedup', 'maxRequests'] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (scenario !== 'replay') {
    if (given.length > 0) {
      const names = given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
      throw new UserFacingError(
        `${names.join(', ')}: only for the replay scenario (gauntlet run replay --trace FILE)`,
      );
    }
    return undefined;
  }
  if (flags.trace === undefined) {
    throw new UserFacingError(
      'replay needs --trace FILE (an Azure LLM inference CSV, a Mooncake JSONL, or a Gauntlet run folder)',
    );
  }
  return prepareReplay({
    trace: flags.trace,
    speedup: flags.speedup ?? 1,
    outDir,
    ...(flags.traceFormat ? { format: flags.traceFormat } : {}),
    ...(flags.maxRequests === undefined ? {} : { maxRequests: flags.maxRequests }),
    ...(flags.duration === undefined ? {} : { maxDurationS: flags.duration }),
  });
}
