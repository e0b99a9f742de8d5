import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../core/errors/user-facing-error.js';
import type { Interrupt } from '../core/process/interrupt.js';
import { parseRunJson } from '../reports/render/write-reports.js';
import { defaultSloFile, loadSloFile } from '../reports/slo/load-slos.js';
import { gateFailoverExperiment } from './gate/failover-part.js';
import type { PipelineOptions, RunPart } from './pipeline-options.js';
import { runPipeline } from './run-pipeline.js';
import { ScriptedLoadDriver } from './testing/scripted-load-driver.js';

const part = (scenario: RunPart['scenario']): RunPart => ({
  scenario,
  rate: 10,
  durationS: 5,
  seed: 1,
  endpointMix: 'infer:1',
  maxTokens: 8,
});

function options(driver: ScriptedLoadDriver, extra: Partial<PipelineOptions> = {}): PipelineOptions {
  return {
    parts: [{ kind: 'load', load: part('load') }],
    // Nothing listens here: the scripted driver sends no request; the URL only names the target.
    target: { url: 'http://127.0.0.1:9' },
    slos: loadSloFile(defaultSloFile()),
    outDir: mkdtempSync(join(tmpdir(), 'gauntlet-pipeline-')),
    command: ['gauntlet', 'test'],
    runOptions: {},
    driver,
    ...extra,
  };
}

function manualInterrupt(): Interrupt & { fire(): void } {
  let received: NodeJS.Signals | undefined;
  let resolve: (s: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  return {
    signalled,
    get received() {
      return received;
    },
    dispose() {},
    fire() {
      received = 'SIGINT';
      resolve('SIGINT');
    },
  };
}

const runJson = (outDir: string) => parseRunJson(readFileSync(join(outDir, 'run.json'), 'utf8'), 'run.json');
const reportFiles = ['run.json', 'junit.xml', 'summary.md', 'report.html'];

describe('runPipeline', () => {
  it('runs every load part in order and writes the four reports of a complete run', async () => {
    const driver = new ScriptedLoadDriver(() => ({ samples: 50, endsAfterMs: 20 }));
    const o = options(driver, {
      parts: [
        { kind: 'load', load: part('smoke') },
        { kind: 'load', load: part('load') },
      ],
    });
    const { run } = await runPipeline(o);
    expect(driver.started.map((p) => p.scenario)).toEqual(['smoke', 'load']);
    expect(driver.started.map((p) => p.outDir)).toEqual([
      join(o.outDir, 'load', '1-smoke'),
      join(o.outDir, 'load', '2-load'),
    ]);
    expect(run.complete).toBe(true);
    expect(run.collection.samples).toBe(100);
    expect(run.scenarios.map((s) => s.name)).toEqual(['smoke', 'load']);
    expect(run.target).toEqual({ kind: 'url', url: 'http://127.0.0.1:9' });
    for (const file of reportFiles) expect(existsSync(join(o.outDir, file)), file).toBe(true);
  });

  it('on Ctrl-C stops the load, skips the parts after it and still writes what was measured, incomplete', async () => {
    const interrupt = manualInterrupt();
    const driver = new ScriptedLoadDriver(() => ({ samples: 40, endsAfterMs: 'never' }));
    const o = options(driver, {
      interrupt,
      parts: [
        { kind: 'load', load: part('load') },
        { kind: 'load', load: part('spike') },
      ],
    });
    setTimeout(() => interrupt.fire(), 300);
    const { run } = await runPipeline(o);
    expect(driver.stops).toBe(1);
    expect(driver.started).toHaveLength(1);
    expect(run.complete).toBe(false);
    expect(run.verdict).not.toBe('pass');
    expect(run.notes).toContain('interrupted by SIGINT');
    expect(run.collection.samples).toBe(40);
    expect(runJson(o.outDir).complete).toBe(false);
  });

  it('a signal during bring-up starts no load at all', async () => {
    const interrupt = manualInterrupt();
    interrupt.fire();
    const driver = new ScriptedLoadDriver(() => ({ samples: 10, endsAfterMs: 10 }));
    const { run } = await runPipeline(options(driver, { interrupt }));
    expect(driver.started).toHaveLength(0);
    expect(run.complete).toBe(false);
    expect(run.verdict).toBe('inconclusive');
  });

  it('a load that ends early (not by its thresholds) stops the run there, marked incomplete', async () => {
    const driver = new ScriptedLoadDriver((_plan, i) =>
      i === 0 ? { samples: 20, endsAfterMs: 10, abortReason: 'killed' } : { samples: 20, endsAfterMs: 10 },
    );
    const o = options(driver, {
      parts: [
        { kind: 'load', load: part('load') },
        { kind: 'load', load: part('spike') },
      ],
    });
    const { run } = await runPipeline(o);
    expect(driver.started).toHaveLength(1);
    expect(run.complete).toBe(false);
    expect(run.notes).toContain('load: the load ended early (killed)');
  });

  it('a harness error is thrown after the reports are written, marked incomplete', async () => {
    const driver = new ScriptedLoadDriver(() => {
      throw new Error('k6 could not start');
    });
    const o = options(driver);
    await expect(runPipeline(o)).rejects.toThrow('k6 could not start');
    const run = runJson(o.outDir);
    expect(run.complete).toBe(false);
    expect(run.notes).toContain('the run failed: k6 could not start');
  });

  it('a fault part needs a stack the run owns: against --target it errors and judges nothing', async () => {
    const driver = new ScriptedLoadDriver(() => ({ samples: 10, endsAfterMs: 10 }));
    const experiment = gateFailoverExperiment();
    const o = options(driver, {
      parts: [{ kind: 'faults', experiment, seed: 1, maxTokens: 16 }],
      slos: [],
    });
    await expect(runPipeline(o)).rejects.toThrow(UserFacingError);
    expect(driver.started).toHaveLength(0);
    const run = runJson(o.outDir);
    expect(run.verdict).toBe('inconclusive');
    expect(run.complete).toBe(false);
    expect(run.notes).toContain(
      `experiment ${experiment.id} did not run: nothing was judged about its faults`,
    );
  });
});
