import { appendFile } from 'node:fs/promises';
import type { RunResult } from '../run-result.js';
import { renderMarkdown } from './render-markdown.js';

/** GitHub rejects a step summary over 1 MiB (and then shows none); stay under it with room for the note. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024 - 1024;

/**
 * In a GitHub Actions step (`GITHUB_STEP_SUMMARY` names a file the runner renders on the job page), appends
 * the run's summary.md to it. Returns the file written, or undefined outside GitHub Actions or when the
 * file cannot be written (said through warn).
 */
export async function appendGithubStepSummary(
  run: RunResult,
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
): Promise<string | undefined> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === '') return undefined;
  try {
    await appendFile(file, fitStepSummary(renderMarkdown(run)));
    return file;
  } catch (error) {
    // The reports are written already; a summary the runner cannot take must not change the verdict's exit code.
    warn(`gauntlet: could not append to GITHUB_STEP_SUMMARY (${file}): ${(error as Error).message}`);
    return undefined;
  }
}

/** Cuts a summary that would exceed GitHub's limit at a line end and says so; shorter ones pass unchanged. */
export function fitStepSummary(markdown: string, limitBytes = STEP_SUMMARY_LIMIT_BYTES): string {
  const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  if (Buffer.byteLength(text) <= limitBytes) return text;
  const note =
    '\n_(summary cut to fit the GitHub step summary limit; the full summary.md is in the report folder)_\n';
  const room = limitBytes - Buffer.byteLength(note);
  const head = Buffer.from(text).subarray(0, room).toString('utf8');
  const lastLine = head.lastIndexOf('\n');
  return `${lastLine > 0 ? head.slice(0, lastLine + 1) : ''}${note}`;
}
