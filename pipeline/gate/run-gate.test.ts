import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunJson } from '../../reports/render/write-reports.js';
import { loadSloFile } from '../../reports/slo/load-slos.js';
import { ScriptedLoadDriver } from '../testing/scripted-load-driver.js';
import { runGate } from './run-gate.js';
import { suites } from './suites.js';

describe('runGate', () => {
  it('runs the suite parts through the pipeline and, against --target, says why failover was skipped', async () => {
    const suite = suites.failover;
    if (!suite) throw new Error('no failover suite');
    const driver = new ScriptedLoadDriver(() => ({ samples: 30, endsAfterMs: 10 }));
    const outDir = mkdtempSync(join(tmpdir(), 'gauntlet-gate-unit-'));
    const slos = loadSloFile(suite.sloFile);
    const { run } = await runGate({
      suite,
      suiteOptions: { rate: 10, seed: 3, endpointMix: 'infer:1', maxTokens: 8, slos },
      target: { url: 'http://127.0.0.1:9' },
      slos,
      outDir,
      command: ['gauntlet', 'gate'],
      driver,
    });
    expect(driver.started.map((p) => [p.scenario, p.seed, p.rate])).toEqual([['load', 3, 10]]);
    const note = 'failover part skipped: it needs --platform (faults are injected on a stack the run owns)';
    expect(run.notes).toContain(note);
    // The combined report on disk is the one returned, with the note.
    expect(parseRunJson(readFileSync(join(outDir, 'run.json'), 'utf8'), 'run.json').notes).toContain(note);
    expect(run.config.run).toMatchObject({ suite: 'failover', rate: 10, seed: 3 });
  });
});
