import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, toolPath } from '../../core/project-root.js';
import type { RunResult } from '../../reports/run-result.js';

function firstLineOf(command: string, args: string[]): string | null {
  try {
    return (
      execFileSync(command, args, { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n')[0]
        ?.trim() ?? null
    );
  } catch {
    return null;
  }
}

/** Versions and the git commit, so a report says exactly what ran and can be rerun. */
export function runVersions(): { versions: RunResult['versions']; gitCommit: string | null } {
  const { version } = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  const k6 = firstLineOf(toolPath('k6'), ['version']);
  const etcd = firstLineOf(toolPath('etcd'), ['--version']);
  let gitCommit = firstLineOf('git', ['-C', projectRoot(), 'rev-parse', 'HEAD']);
  if (
    gitCommit &&
    firstLineOf('git', ['-C', projectRoot(), 'status', '--porcelain', '--untracked-files=no'])
  ) {
    gitCommit = `${gitCommit}-dirty`;
  }
  return { versions: { gauntlet: version, k6, node: process.version, etcd }, gitCommit };
}
