import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SamplesReader } from './samples-reader.js';

describe('SamplesReader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-samples-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns only complete new lines, keeps a cut line for later, skips garbage', () => {
    const file = join(dir, 'samples.ndjson');
    const reader = new SamplesReader(file);
    expect(reader.read()).toEqual([]);
    const line = (id: string, ok: 0 | 1) =>
      JSON.stringify({
        id,
        sc: 'load',
        ph: 'steady',
        ep: 'chat',
        t0: 1000,
        st: ok ? 200 : 502,
        ok,
        e2e: 12.5,
        out: 16,
        w: 'w0',
        ...(ok ? {} : { err: 'server_error' }),
      });
    appendFileSync(file, `${line('a', 1)}\nnot json\n${line('b', 0).slice(0, 20)}`);
    expect(reader.read()).toEqual([
      { id: 'a', t0: 1000, e2e: 12.5, ok: true, st: 200, ep: 'chat', w: 'w0', out: 16 },
    ]);
    appendFileSync(file, `${line('b', 0).slice(20)}\n`);
    expect(reader.read()).toEqual([
      { id: 'b', t0: 1000, e2e: 12.5, ok: false, st: 502, ep: 'chat', w: 'w0', err: 'server_error', out: 16 },
    ]);
    expect(reader.malformedLines).toBe(1);
  });
});
