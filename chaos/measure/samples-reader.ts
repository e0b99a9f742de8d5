import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RequestSample } from '../../reports/model/request-sample.js';
import { fromSample, type MeasuredRequest } from './measured-request.js';

/** Most bytes one read() takes from the file; the rest waits for the next call. */
const maxReadBytes = 32 * 1024 * 1024;

/**
 * Reads a samples file (one RequestSample JSON line a request) while the load generator is still writing
 * it: each read() returns the complete lines added since the last one. A line cut mid-write waits for its
 * end; lines that are not valid samples are counted and skipped.
 */
export class SamplesReader {
  private offset = 0;
  private partial = '';
  private skipped = 0;

  constructor(readonly file: string) {}

  get malformedLines(): number {
    return this.skipped;
  }

  read(): MeasuredRequest[] {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      const length = Math.min(size - this.offset, maxReadBytes);
      const buffer = Buffer.alloc(length);
      const got = readSync(fd, buffer, 0, length, this.offset);
      this.offset += got;
      const text = this.partial + buffer.toString('utf8', 0, got);
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      return lines.flatMap((line) => this.parse(line));
    } finally {
      closeSync(fd);
    }
  }

  private parse(line: string): MeasuredRequest[] {
    if (line.trim() === '') return [];
    try {
      const sample = JSON.parse(line) as RequestSample;
      if (typeof sample.id !== 'string' || typeof sample.t0 !== 'number' || typeof sample.e2e !== 'number') {
        this.skipped++;
        return [];
      }
      return [fromSample(sample)];
    } catch {
      this.skipped++;
      return [];
    }
  }
}
