import { open } from 'node:fs/promises';

export interface SamplesCount {
  samples: number;
  errors: number;
}

/**
 * Counts the lines of a growing samples file, reading only what was appended since the last call. A
 * failed sample is recognised by its `"ok":0` without parsing the line (the writer's JSON.stringify puts
 * no spaces in it).
 */
export class SamplesTail {
  private offset = 0;
  private pending = '';
  private readonly count: SamplesCount = { samples: 0, errors: 0 };

  constructor(readonly file: string) {}

  async poll(maxBytes = 64 * 1024 * 1024): Promise<SamplesCount> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.file, 'r');
    } catch {
      return { ...this.count };
    }
    try {
      const buffer = Buffer.alloc(256 * 1024);
      let readTotal = 0;
      // Bounded by maxBytes per poll, so one call never stalls on a huge backlog.
      while (readTotal < maxBytes) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        readTotal += bytesRead;
        const lines = (this.pending + buffer.toString('utf8', 0, bytesRead)).split('\n');
        this.pending = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') continue;
          this.count.samples++;
          if (line.includes('"ok":0')) this.count.errors++;
        }
      }
    } finally {
      await handle.close();
    }
    return { ...this.count };
  }
}
