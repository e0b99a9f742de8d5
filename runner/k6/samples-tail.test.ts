import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SamplesTail } from './samples-tail.js';

describe('SamplesTail', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts appended lines and failures, also across a line split between polls', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-tail-'));
    const file = join(dir, 'samples.ndjson');
    const tail = new SamplesTail(file);
    expect(await tail.poll()).toEqual({ samples: 0, errors: 0 });
    await appendFile(file, '{"id":"a","ok":1}\n{"id":"b","ok":0,"err":"timeout"}\n{"id":"c",');
    expect(await tail.poll()).toEqual({ samples: 2, errors: 1 });
    await appendFile(file, '"ok":0}\n');
    expect(await tail.poll()).toEqual({ samples: 3, errors: 2 });
    expect(await tail.poll()).toEqual({ samples: 3, errors: 2 });
  });
});
