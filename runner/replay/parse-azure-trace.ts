import { quoted, TraceError } from './trace-error.js';
import { isTokenCount, type ParsedTrace, type TraceRequest, tokenCountAllowed } from './trace-request.js';

const columns = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;
const timestampPattern =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):?(\d{2}))?$/;
const timestampAllowed =
  "a date and time like '2023-11-16 18:15:46.6805900' (UTC unless it ends in an offset like +00:00; fraction optional)";

/**
 * Unix ms of an Azure trace timestamp, sub-millisecond fraction kept; undefined when it is not one.
 * Checked by round trip, so 2023-02-30 or 25:00:00 are refused rather than rolled over.
 */
export function parseAzureTimestamp(text: string): number | undefined {
  const match = timestampPattern.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const whole = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(whole);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    back.getUTCHours() !== hour ||
    back.getUTCMinutes() !== minute ||
    back.getUTCSeconds() !== second
  ) {
    return undefined;
  }
  // The 2024 trace writes `+00:00`; an offset east of UTC means an earlier instant.
  const offsetMs = match[9]
    ? (match[9] === '-' ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11])) * 60_000
    : 0;
  return whole - offsetMs + (match[7] ? Number(`0.${match[7]}`) * 1000 : 0);
}

/**
 * The Azure LLM inference trace (AzurePublicDataset: `TIMESTAMP,ContextTokens,GeneratedTokens`, one request a
 * row). Columns are found by name in the header (any order, case-insensitive, extra columns ignored); rows
 * are plain comma-separated values, as the published files are.
 */
export function parseAzureTrace(text: string, file: string): ParsedTrace {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new TraceError(file, undefined, undefined, 'the file is empty');
  const header = (lines[headerIndex] ?? '').split(',').map((name) => name.trim().toLowerCase());
  const at = columns.map((name) => header.indexOf(name.toLowerCase()));
  const missing = columns.filter((_, i) => (at[i] ?? -1) < 0);
  if (missing.length > 0) {
    throw new TraceError(
      file,
      headerIndex + 1,
      'header',
      `has no column ${missing.join(', ')} (an Azure LLM inference trace starts with ${columns.join(',')}; got ${quoted(lines[headerIndex])})`,
    );
  }
  const [tsCol, inCol, outCol] = at as [number, number, number];
  const requests: TraceRequest[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const line = i + 1;
    const cells = raw.split(',').map((cell) => cell.trim());
    if (cells.length < header.length) {
      throw new TraceError(file, line, undefined, `has ${cells.length} fields, the header ${header.length}`);
    }
    const stamp = cells[tsCol] ?? '';
    const atMs = parseAzureTimestamp(stamp);
    if (atMs === undefined) {
      throw new TraceError(file, line, 'TIMESTAMP', `${quoted(stamp)} is not ${timestampAllowed}`);
    }
    requests.push({
      atMs,
      inputTokens: tokenCell(cells[inCol] ?? '', file, line, 'ContextTokens'),
      outputTokens: tokenCell(cells[outCol] ?? '', file, line, 'GeneratedTokens'),
      line,
    });
  }
  return { file, format: 'azure-csv', requests, skipped: [] };
}

function tokenCell(cell: string, file: string, line: number, field: string): number {
  const value = /^\d+$/.test(cell) ? Number(cell) : Number.NaN;
  if (!isTokenCount(value))
    throw new TraceError(file, line, field, `${quoted(cell)} is not ${tokenCountAllowed}`);
  return value;
}
