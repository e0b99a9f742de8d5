import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { TraceFormat } from '../../scenarios/lib/replay-schedule.ts';
import { parseAzureTrace } from './parse-azure-trace.js';
import { parseGauntletSamples } from './parse-gauntlet-samples.js';
import { parseMooncakeTrace } from './parse-mooncake-trace.js';
import { TraceError } from './trace-error.js';
import type { ParsedTrace } from './trace-request.js';

/** A trace file is read whole; past this size, cut it first (head -n) or use --max-requests on a smaller one. */
const maxTraceBytes = 512 * 1024 * 1024;
const samplesFileName = 'samples.ndjson';

const parsers: Record<TraceFormat, (text: string, file: string) => ParsedTrace> = {
  'azure-csv': parseAzureTrace,
  'mooncake-jsonl': parseMooncakeTrace,
  'gauntlet-samples': parseGauntletSamples,
};

/**
 * Reads a trace: a file in one of the formats (told, or recognised by its extension and first line), or a
 * Gauntlet run folder, whose samples files (`load/<part>/samples.ndjson`, one per load part) are merged.
 */
export function readTrace(path: string, format?: TraceFormat): ParsedTrace {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new TraceError(path, undefined, undefined, 'no such file or folder');
  }
  if (stat.isDirectory()) return readRunFolder(path, format);
  if (stat.size > maxTraceBytes) {
    throw new TraceError(
      path,
      undefined,
      undefined,
      `${stat.size} bytes, more than the ${maxTraceBytes} read whole`,
    );
  }
  const text = readFileSync(path, 'utf8');
  const chosen = format ?? detectFormat(path, text);
  return parsers[chosen](text, path);
}

/** The format a file's extension and first non-empty line say; a TraceError when they say nothing clear. */
export function detectFormat(file: string, text: string): TraceFormat {
  const first = text.split(/\r?\n/, 50).find((line) => line.trim() !== '') ?? '';
  if (extname(file).toLowerCase() === '.csv' || /^\s*timestamp\s*,/i.test(first)) return 'azure-csv';
  let row: unknown;
  try {
    row = JSON.parse(first);
  } catch {
    row = undefined;
  }
  if (typeof row === 'object' && row !== null) {
    if ('input_length' in row || 'output_length' in row) return 'mooncake-jsonl';
    if ('t0' in row && 'ep' in row) return 'gauntlet-samples';
  }
  throw new TraceError(
    file,
    undefined,
    undefined,
    'cannot tell its format: expected an Azure LLM inference trace (.csv with a TIMESTAMP,ContextTokens,GeneratedTokens header), ' +
      'Mooncake-style JSON Lines ({"timestamp": ms, "input_length": N, "output_length": M}) or a Gauntlet samples file; ' +
      'say which with --trace-format azure-csv|mooncake-jsonl|gauntlet-samples',
  );
}

function readRunFolder(dir: string, format: TraceFormat | undefined): ParsedTrace {
  if (format !== undefined && format !== 'gauntlet-samples') {
    throw new TraceError(
      dir,
      undefined,
      undefined,
      `is a folder; only a Gauntlet run folder (--trace-format gauntlet-samples) can be one`,
    );
  }
  const files = samplesFiles(dir, 3);
  if (files.length === 0) {
    throw new TraceError(
      dir,
      undefined,
      undefined,
      `is a folder without a ${samplesFileName} (a Gauntlet run folder has load/<part>/${samplesFileName})`,
    );
  }
  const merged: ParsedTrace = { file: dir, format: 'gauntlet-samples', requests: [], skipped: [] };
  for (const file of files) {
    const parsed = parseGauntletSamples(readFileSync(file, 'utf8'), file);
    merged.requests.push(...parsed.requests);
    merged.skipped.push(...parsed.skipped.map((s) => ({ ...s, reason: `${file}: ${s.reason}` })));
  }
  return merged;
}

/** samples.ndjson files under dir, at most `depth` folders down, in name order (load parts run in order). */
function samplesFiles(dir: string, depth: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === samplesFileName) found.push(path);
    else if (entry.isDirectory() && depth > 0) found.push(...samplesFiles(path, depth - 1));
  }
  return found;
}
