import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticSamples } from '../../reports/collector/synthetic-samples.js';
import type { LoadDriver, LoadOutcome, LoadPlan, LoadRun } from '../../runner/load/load-driver.js';

export interface ScriptedLoad {
  /** Samples written to the samples file as soon as the load starts. */
  samples: number;
  /** How the load ends by itself: after this many ms, or never (only stop() ends it). */
  endsAfterMs: number | 'never';
  /** An abort reason for a load that ends by itself early (a crash, an abortOnFail threshold). */
  abortReason?: LoadOutcome['abortReason'];
}

/**
 * An in-process stand-in for k6 in the pipeline's unit tests: it writes real sample lines where k6 would
 * and ends when told, so the steps around the load (interrupts, aborts, reports, order) run for real
 * without spending the shared CPU on k6. The integration tests in test/ run the real k6.
 */
export class ScriptedLoadDriver implements LoadDriver {
  readonly name = 'scripted';
  readonly started: LoadPlan[] = [];
  stops = 0;

  constructor(private readonly script: (plan: LoadPlan, index: number) => ScriptedLoad) {}

  async start(plan: LoadPlan): Promise<LoadRun> {
    const script = this.script(plan, this.started.length);
    this.started.push(plan);
    mkdirSync(plan.outDir, { recursive: true });
    const samplesFile = join(plan.outDir, 'samples.ndjson');
    const lines = [
      ...syntheticSamples({
        samples: script.samples,
        scenario: plan.scenario,
        startMs: Date.now(),
        idPrefix: `${this.started.length}-`,
      }),
    ].map((s) => JSON.stringify(s));
    writeFileSync(samplesFile, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    const outcome = (aborted: boolean, abortReason: LoadOutcome['abortReason']): LoadOutcome => ({
      exitCode: aborted ? null : 0,
      thresholdsFailed: false,
      aborted,
      abortReason,
      failure: undefined,
      iterations: script.samples,
      droppedIterations: 0,
      httpReqs: script.samples,
      vusMax: 1,
      scheduleLagMs: undefined,
      warnings: [],
      wallMs: 0,
      samplesFile,
      summaryFile: join(plan.outDir, 'summary.json'),
      logFile: join(plan.outDir, 'k6.log'),
    });
    let settle: (o: LoadOutcome) => void = () => {};
    const done = new Promise<LoadOutcome>((resolve) => {
      settle = resolve;
    });
    const timer =
      script.endsAfterMs === 'never'
        ? undefined
        : setTimeout(
            () => settle(outcome(script.abortReason !== undefined, script.abortReason)),
            script.endsAfterMs,
          );
    const stop = async () => {
      this.stops++;
      clearTimeout(timer);
      settle(outcome(true, 'stopped'));
      return done;
    };
    return {
      samplesFile,
      done,
      stop,
      onProgress() {},
      [Symbol.asyncDispose]: async () => {
        await stop();
      },
    };
  }
}
