import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat, readTrace } from './read-trace.js';
import { sampleTraceRows, toAzureCsv, toMooncakeJsonl } from './sample-traces.js';

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readTrace', () => {
  it('reads the generated sample traces back, in both public formats, to the same rows', () => {
    const rows = sampleTraceRows({ seed: 7, requests: 30 });
    const azure = join(dir, 'azure.csv');
    const mooncake = join(dir, 'mooncake.jsonl');
    writeFileSync(azure, toAzureCsv(rows));
    writeFileSync(mooncake, toMooncakeJsonl(rows));
    const fromAzure = readTrace(azure);
    const fromMooncake = readTrace(mooncake);
    expect(fromAzure.format).toBe('azure-csv');
    expect(fromMooncake.format).toBe('mooncake-jsonl');
    const first = fromAzure.requests[0]?.atMs ?? 0;
    for (const [i, row] of rows.entries()) {
      expect(fromAzure.requests[i]?.atMs ?? 0).toBeCloseTo(first + row.offsetMs, 3);
      expect(fromMooncake.requests[i]?.atMs).toBe(Math.round(row.offsetMs));
      expect(fromAzure.requests[i]).toMatchObject({
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
      });
      expect(fromMooncake.requests[i]).toMatchObject({
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
      });
    }
  });

  it("merges a run folder's samples files, part by part", () => {
    const run = join(dir, 'run');
    for (const part of ['1-load', '2-spike']) {
      mkdirSync(join(run, 'load', part), { recursive: true });
      writeFileSync(
        join(run, 'load', part, 'samples.ndjson'),
        `${JSON.stringify({ id: part, sc: 'load', ph: 'steady', ep: 'infer', t0: part === '1-load' ? 1000 : 2000, st: 200, ok: 1, e2e: 1, out: 4, in: 9 })}\n`,
      );
    }
    const trace = readTrace(run);
    expect(trace.format).toBe('gauntlet-samples');
    expect(trace.requests.map((r) => r.atMs)).toEqual([1000, 2000]);
  });

  it('says what is wrong with a path that is not a trace', () => {
    expect(() => readTrace(join(dir, 'missing.csv'))).toThrow(/missing\.csv: no such file or folder$/);
    const empty = join(dir, 'empty-run');
    mkdirSync(empty);
    expect(() => readTrace(empty)).toThrow(/is a folder without a samples\.ndjson/);
    expect(() => readTrace(empty, 'azure-csv')).toThrow(/only a Gauntlet run folder/);
  });
});

describe('detectFormat', () => {
  it('tells the formats apart by extension and first line, and asks when it cannot', () => {
    expect(detectFormat('x.txt', 'TIMESTAMP,ContextTokens,GeneratedTokens\n')).toBe('azure-csv');
    expect(detectFormat('x.jsonl', '\n{"timestamp":0,"input_length":1,"output_length":1}')).toBe(
      'mooncake-jsonl',
    );
    expect(detectFormat('samples.ndjson', '{"id":"a","t0":1,"ep":"infer"}')).toBe('gauntlet-samples');
    expect(() => detectFormat('x.json', '{"prompt":"hi"}')).toThrow(
      /--trace-format azure-csv\|mooncake-jsonl\|gauntlet-samples/,
    );
  });
});
