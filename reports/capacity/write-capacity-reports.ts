import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapacityResult } from './capacity-result.js';
import { renderCapacityHtml } from './render-capacity-html.js';
import { renderCapacityMarkdown } from './render-capacity-markdown.js';

export const CAPACITY_FILES = {
  json: 'capacity.json',
  markdown: 'capacity.md',
  html: 'capacity.html',
} as const;

/** Writes capacity.json, capacity.md and capacity.html into dir (created if needed). */
export function writeCapacityReports(
  dir: string,
  result: CapacityResult,
): Record<keyof typeof CAPACITY_FILES, string> {
  mkdirSync(dir, { recursive: true });
  const paths = {
    json: join(dir, CAPACITY_FILES.json),
    markdown: join(dir, CAPACITY_FILES.markdown),
    html: join(dir, CAPACITY_FILES.html),
  };
  writeFileSync(paths.json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(paths.markdown, renderCapacityMarkdown(result));
  writeFileSync(paths.html, renderCapacityHtml(result));
  return paths;
}
