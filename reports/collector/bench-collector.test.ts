import { describe, expect, it } from 'vitest';
import { benchCollector } from './bench-collector.js';

describe('benchCollector', () => {
  it('writes, ingests and measures a synthetic samples file', async () => {
    const result = await benchCollector({ samples: 20_000 });
    expect(result.samples).toBe(20_000);
    expect(result.fileMb).toBeGreaterThan(3);
    expect(result.samplesPerS).toBeGreaterThan(10_000);
    expect(result.peakRssMb).toBeGreaterThanOrEqual(result.baselineRssMb);
  });
});
