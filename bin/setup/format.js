// @ts-check
// Pure formatting for setup's output: durations, progress lines, the closing summary. No I/O here, so the
// tests can pin the exact text a first-time user sees.
import { homedir } from 'node:os';

/**
 * What a step did, for the closing summary.
 * @typedef {object} StepResult
 * @property {string} name what the step installs ("k6", "etcd")
 * @property {'installed' | 'present' | 'rebuilt' | 'skipped' | 'failed'} status installed: this run put it
 *   there; present: it was there already; rebuilt: redone every run (the TypeScript build); skipped: not
 *   possible on this machine, and optional (the note says why); failed: see the error
 * @property {string} [version]
 * @property {string} [path] where it is
 * @property {string} [note] one more fact (the cache a binary came from; the error)
 * @property {number} ms how long the step took
 */

/**
 * "0.4 s", "42 s", "6 min 05 s", "1 h 02 min": one decimal only where it carries information.
 * @param {number} ms
 */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const totalS = Math.floor(s);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
  const totalMin = Math.floor(totalS / 60);
  return `${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

/**
 * The line a long step shows while it works: "k6: building… 2 min 10 s (usually ~6 min on 2 cores)".
 * @param {string} label
 * @param {number} elapsedMs
 * @param {string} [expected]
 */
export function progressLine(label, elapsedMs, expected) {
  return `${label}… ${formatDuration(elapsedMs)}${expected ? ` (${expected})` : ''}`;
}

/**
 * `~/.cache/...` instead of `/home/me/.cache/...`, and paths under the repository relative to it.
 * @param {string} path
 * @param {{ root?: string, home?: string }} [where]
 */
export function shortPath(path, where = {}) {
  const home = where.home ?? homedir();
  if (where.root && path.startsWith(`${where.root}/`)) return path.slice(where.root.length + 1);
  if (home && home !== '/' && path.startsWith(`${home}/`)) return `~/${path.slice(home.length + 1)}`;
  return path;
}

const statusWords = {
  installed: 'installed now',
  present: 'already there',
  rebuilt: 'rebuilt',
  skipped: 'skipped',
  failed: 'FAILED',
};

/**
 * The closing summary: one aligned row per step (status, version, where, time) and the total.
 * @param {readonly StepResult[]} results
 * @param {number} totalMs
 * @returns {string[]}
 */
export function renderSummary(results, totalMs) {
  const failed = results.filter((r) => r.status === 'failed').length;
  const installed = results.filter((r) => r.status === 'installed').length;
  const head =
    failed > 0
      ? `setup: ${failed} step(s) failed after ${formatDuration(totalMs)}; the rest:`
      : `setup: done in ${formatDuration(totalMs)}; ${installed === 0 ? 'nothing new was installed' : `${installed} installed now`}`;
  const rows = results.map((r) => [
    r.name,
    statusWords[r.status],
    r.version ?? '',
    r.path ?? '',
    formatDuration(r.ms),
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  const lines = [head];
  for (const [i, row] of rows.entries()) {
    const cells = row.slice(0, 4).map((cell, c) => cell.padEnd(widths[c] ?? 0));
    lines.push(`  ${cells.join('  ')}  ${row[4]}`.trimEnd());
    const note = results[i]?.note;
    if (note) lines.push(`  ${''.padEnd(widths[0] ?? 0)}  ${note}`);
  }
  return lines;
}

/**
 * Under --quiet, when setup installed nothing: one line with the versions, so a log still shows what ran.
 * @param {readonly StepResult[]} results
 * @param {number} totalMs
 */
export function readyLine(results, totalMs) {
  const versions = results.filter((r) => r.version).map((r) => `${r.name} ${r.version}`);
  return `setup: ready in ${formatDuration(totalMs)}, nothing new installed (${versions.join(', ')}); \`npm run setup\` shows where each tool is`;
}

/**
 * Under --quiet the full summary is shown only when something was installed (or failed): a first run
 * says what it put where, the hundredth run stays one line.
 * @param {readonly StepResult[]} results
 * @param {boolean} quiet
 */
export function wantsFullSummary(results, quiet) {
  return !quiet || results.some((r) => r.status === 'installed' || r.status === 'failed');
}
