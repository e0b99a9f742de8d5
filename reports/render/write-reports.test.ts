import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config/config-error.js';
import { exampleRun } from '../testing/example-run.js';
import { readRunJson, rerenderReports, writeReports } from './write-reports.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-reports-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeReports / rerenderReports', () => {
  it('writes the four reports and re-renders three of them from run.json alone', async () => {
    const run = exampleRun({ samples: 3000, seed: 2 });
    const paths = await writeReports(join(dir, 'out'), run);
    for (const file of Object.values(paths)) expect((await stat(file)).size).toBeGreaterThan(100);
    const before = await readFile(paths.markdown, 'utf8');
    await rm(paths.markdown);
    await rm(paths.html);
    await writeFile(paths.junit, 'stale');
    await rerenderReports(join(dir, 'out'));
    expect(await readFile(paths.markdown, 'utf8')).toBe(before);
    expect(await readFile(paths.junit, 'utf8')).toMatch(/^<\?xml/);
    expect((await stat(paths.html)).size).toBeGreaterThan(200_000);
    expect(await readRunJson(paths.json)).toEqual(JSON.parse(JSON.stringify(run)));
  });

  it('names the file and the field when run.json is invalid', async () => {
    const run = exampleRun({ samples: 1000, seed: 2 });
    const broken = JSON.parse(JSON.stringify(run)) as Record<string, unknown>;
    (broken.metrics as { overall: { count: unknown } }).overall.count = 'many';
    await writeFile(join(dir, 'run.json'), JSON.stringify(broken));
    const error = await rerenderReports(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/run\.json: metrics\.overall\.count: .*expected number/i);

    await writeFile(join(dir, 'run.json'), JSON.stringify({ ...run, schemaVersion: 2 }));
    await expect(rerenderReports(dir)).rejects.toThrow(
      /run\.json: schemaVersion: version 2 is not supported/,
    );
    await writeFile(join(dir, 'run.json'), '{"schemaVersion": 1,');
    await expect(rerenderReports(dir)).rejects.toThrow(/run\.json: invalid JSON/);
    await expect(rerenderReports(join(dir, 'nowhere'))).rejects.toThrow(/run\.json: file not found/);
  });
});
