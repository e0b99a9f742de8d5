import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, fieldPath } from '../../core/config/config-error.js';
import { type RunResult, runResultSchema } from '../run-result.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderJunit } from './render-junit.js';
import { renderMarkdown } from './render-markdown.js';

export const REPORT_FILES = {
  json: 'run.json',
  junit: 'junit.xml',
  markdown: 'summary.md',
  html: 'report.html',
} as const;

export type ReportPaths = Record<keyof typeof REPORT_FILES, string>;

/** Writes run.json, junit.xml, summary.md and report.html into dir (created if needed). */
export async function writeReports(dir: string, run: RunResult): Promise<ReportPaths> {
  await mkdir(dir, { recursive: true });
  const paths = pathsIn(dir);
  await writeFile(paths.json, renderJson(run));
  await writeDerived(paths, run);
  return paths;
}

/**
 * Reads dir/run.json, validates it against the run.json schema and rewrites the other three reports from
 * it (after a renderer change, or from a run.json edited or copied from elsewhere). An invalid file throws
 * a ConfigError naming the file and the field.
 */
export async function rerenderReports(dir: string): Promise<ReportPaths> {
  const paths = pathsIn(dir);
  const run = await readRunJson(paths.json);
  await writeDerived(paths, run);
  return paths;
}

/** Reads and validates a run.json (also what `compare` uses). */
export async function readRunJson(file: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      { file, field: '', message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code})` },
    ]);
  }
  return parseRunJson(text, file);
}

export function parseRunJson(text: string, file: string): RunResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ file, field: '', message: `invalid JSON: ${(error as Error).message}` }]);
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== 1) {
    throw new ConfigError([
      {
        file,
        field: 'schemaVersion',
        message: `version ${version} is not supported; this Gauntlet reads version 1`,
      },
    ]);
  }
  const result = runResultSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.slice(0, 10).map((issue) => ({
      file,
      field: fieldPath(issue.path),
      message:
        issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
    })),
  );
}

function pathsIn(dir: string): ReportPaths {
  return {
    json: join(dir, REPORT_FILES.json),
    junit: join(dir, REPORT_FILES.junit),
    markdown: join(dir, REPORT_FILES.markdown),
    html: join(dir, REPORT_FILES.html),
  };
}

async function writeDerived(paths: ReportPaths, run: RunResult): Promise<void> {
  await writeFile(paths.junit, renderJunit(run));
  await writeFile(paths.markdown, renderMarkdown(run));
  await writeFile(paths.html, renderHtml(run));
}
