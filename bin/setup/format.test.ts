import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface StepResult {
  name: string;
  status: 'installed' | 'present' | 'rebuilt' | 'failed';
  version?: string;
  path?: string;
  note?: string;
  ms: number;
}
interface FormatModule {
  formatDuration(ms: number): string;
  progressLine(label: string, elapsedMs: number, expected?: string): string;
  shortPath(path: string, where?: { root?: string; home?: string }): string;
  renderSummary(results: readonly StepResult[], totalMs: number): string[];
  readyLine(results: readonly StepResult[], totalMs: number): string;
  wantsFullSummary(results: readonly StepResult[], quiet: boolean): boolean;
}

// A variable specifier: the module is plain JS (setup runs before the TypeScript build) without a .d.ts.
const modulePath = join(fileURLToPath(new URL('.', import.meta.url)), 'format.js');
const format = (await import(modulePath)) as FormatModule;

describe('formatDuration', () => {
  it('keeps a decimal under 10 s, whole seconds under a minute, then minutes and hours', () => {
    expect(format.formatDuration(420)).toBe('0.4 s');
    expect(format.formatDuration(9_949)).toBe('9.9 s');
    expect(format.formatDuration(42_700)).toBe('42 s');
    expect(format.formatDuration(6 * 60_000 + 5_400)).toBe('6 min 05 s');
    expect(format.formatDuration(62 * 60_000)).toBe('1 h 02 min');
    expect(format.formatDuration(Number.NaN)).toBe('?');
    expect(format.formatDuration(-1)).toBe('?');
  });
});

describe('progressLine', () => {
  it('says what runs, for how long, and how long it usually takes', () => {
    expect(
      format.progressLine('k6: building v1.8.1', 130_000, 'the first build takes ~6 min on 2 cores'),
    ).toBe('k6: building v1.8.1… 2 min 10 s (the first build takes ~6 min on 2 cores)');
    expect(format.progressLine('npm ci', 3_000)).toBe('npm ci… 3.0 s');
  });
});

describe('shortPath', () => {
  it('writes the home folder as ~ and paths in the repository relative to it', () => {
    const where = { root: '/src/gauntlet', home: '/home/me' };
    expect(format.shortPath('/home/me/.cache/gauntlet/k6/v1/k6', where)).toBe('~/.cache/gauntlet/k6/v1/k6');
    expect(format.shortPath('/src/gauntlet/.tools/bin/k6', where)).toBe('.tools/bin/k6');
    expect(format.shortPath('/usr/bin/etcd', where)).toBe('/usr/bin/etcd');
    expect(format.shortPath('/anything', { home: '/' })).toBe('/anything');
  });
});

const firstRun: StepResult[] = [
  { name: 'npm dependencies', status: 'present', version: '312 packages', path: 'node_modules', ms: 40 },
  { name: 'build', status: 'rebuilt', path: 'dist', ms: 21_000 },
  {
    name: 'etcd',
    status: 'installed',
    version: '3.4.23',
    path: '/usr/bin/etcd',
    note: 'Debian etcd-server',
    ms: 48_000,
  },
  {
    name: 'k6',
    status: 'installed',
    version: 'v1.8.1',
    path: '.tools/bin/k6',
    note: '-> ~/.cache/gauntlet/k6/v1.8.1-abc/k6',
    ms: 371_000,
  },
];

describe('renderSummary', () => {
  it('lists each step aligned: status, version, where, time; notes under their row; the total first', () => {
    expect(format.renderSummary(firstRun, 441_000)).toEqual([
      'setup: done in 7 min 21 s; 2 installed now',
      '  npm dependencies  already there  312 packages  node_modules   0.0 s',
      '  build             rebuilt                      dist           21 s',
      '  etcd              installed now  3.4.23        /usr/bin/etcd  48 s',
      '                    Debian etcd-server',
      '  k6                installed now  v1.8.1        .tools/bin/k6  6 min 11 s',
      '                    -> ~/.cache/gauntlet/k6/v1.8.1-abc/k6',
    ]);
  });

  it('leads with the failures when a step failed', () => {
    const lines = format.renderSummary(
      [...firstRun.slice(0, 2), { name: 'k6', status: 'failed', note: 'Go >= 1.25 is needed', ms: 5 }],
      30_000,
    );
    expect(lines[0]).toBe('setup: 1 step(s) failed after 30 s; the rest:');
    expect(lines).toContain('                    Go >= 1.25 is needed');
    expect(lines.some((l) => /^ {2}k6 +FAILED/.test(l))).toBe(true);
  });
});

describe('quiet endings', () => {
  const again = firstRun.map((r) => ({
    ...r,
    status: r.status === 'rebuilt' ? r.status : ('present' as const),
  }));

  it('shows the full summary under --quiet only when something was installed or failed', () => {
    expect(format.wantsFullSummary(firstRun, true)).toBe(true);
    expect(format.wantsFullSummary(again, true)).toBe(false);
    expect(format.wantsFullSummary(again, false)).toBe(true);
    expect(format.wantsFullSummary([{ name: 'k6', status: 'failed', ms: 1 }], true)).toBe(true);
  });

  it('otherwise ends with one line naming the versions', () => {
    expect(format.readyLine(again, 1_234)).toBe(
      'setup: ready in 1.2 s, nothing new installed (npm dependencies 312 packages, etcd 3.4.23, k6 v1.8.1); `npm run setup` shows where each tool is',
    );
  });
});
