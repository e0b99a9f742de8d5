import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';

/** One experiment as the chaos section of `npm run bench` records it (bench/chaos-bench.ts). */
export interface BenchedExperiment {
  verdict?: string;
  error?: string;
  faults?: Array<{
    id: string;
    verdict: string;
    detectedAfterMs: number | null;
    detection?: string;
    recoveredAfterMs: number | null;
    recovery?: string;
    recoveryResolutionMs?: number;
    failedRequests: number;
    streamsCut: number;
    lost: number;
    duplicated: number;
  }>;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

function detected(f: NonNullable<BenchedExperiment['faults']>[number]): string {
  if (f.detectedAfterMs !== null) return seconds(f.detectedAfterMs);
  return f.detection === 'not_applicable' ? 'n/a' : (f.detection ?? 'n/a').replace('_', ' ');
}

function recovered(f: NonNullable<BenchedExperiment['faults']>[number]): string {
  if (f.recovery === 'held') return 'held';
  if (f.recoveredAfterMs !== null) {
    const resolution = f.recoveryResolutionMs ? ` (± ${seconds(f.recoveryResolutionMs)})` : '';
    return `${seconds(f.recoveredAfterMs)}${resolution}`;
  }
  return (f.recovery ?? 'n/a').replace('_', ' ');
}

/**
 * The README's chaos table from bench/results.json, so that the figures in prose are the measured ones:
 * a pure renderer over the chaos section's details, one row per fault.
 */
export function renderChaosTable(chaos: Record<string, BenchedExperiment>): string {
  const rows = [
    [
      'experiment',
      'verdict',
      'fault verdict',
      'detected after',
      'recovered after',
      'failed',
      'streams cut',
      'lost / duplicated',
    ],
  ];
  const notRun: string[] = [];
  for (const [id, e] of Object.entries(chaos)) {
    if (e.error !== undefined || !e.faults) {
      // A refusal ("cannot run on the local platform") is its first line; the rest names the capability.
      notRun.push(`- ${id}: not run: ${(e.error ?? 'no faults recorded').split('\n')[0]?.replace(/:$/, '')}`);
      continue;
    }
    for (const f of e.faults) {
      rows.push([
        id,
        e.verdict ?? '',
        f.verdict,
        detected(f),
        recovered(f),
        String(f.failedRequests),
        String(f.streamsCut),
        `${f.lost} / ${f.duplicated}`,
      ]);
    }
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), 3)) ?? [];
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 3)).join(' | ')} |`;
  const [head, ...body] = rows;
  const table = [line(head ?? []), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  return [...table, ...(notRun.length > 0 ? ['', ...notRun] : [])].join('\n');
}

// `node dist/bench/chaos-table.js` prints the table for the README.
if (process.argv[1]?.endsWith('chaos-table.js')) {
  const results = JSON.parse(readFileSync(join(projectRoot(), 'bench', 'results.json'), 'utf8')) as {
    details: { chaos?: Record<string, BenchedExperiment> };
  };
  process.stdout.write(`${renderChaosTable(results.details.chaos ?? {})}\n`);
}
