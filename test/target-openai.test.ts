import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunJson } from '../reports/render/write-reports.js';
import { type StandInEngine, startStandInEngine } from '../stack/testing/stand-in-engine.js';
import { runCli } from './support/cli.js';

/**
 * Pointing Gauntlet at any OpenAI-compatible server (issue 8, "just works"): `gauntlet run load --target URL
 * --api-key K` with no mix or SLO flag, against a plain streaming server that has no `/infer` and wants a
 * bearer key (the stand-in engine, 30 ms to the first token, 10 ms between tokens). The default mix moves to
 * the OpenAI routes, the SLO on `/infer` (no traffic by design) is not_applicable, and a healthy server
 * passes with exit 0. The rate and duration hold the ~3,900 clean requests the default error-rate SLO
 * (< 0.1 %) needs to decide, in 30 s instead of the 90 s at 50 req/s a user would run. At that rate the
 * generator needs the host to itself (a send 100 ms late makes the latency verdicts inconclusive): it is a
 * precise integration file (support/lanes.ts), run alone.
 */
const apiKey = 'test-key';
let engine: StandInEngine;
let home = '';

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'gauntlet-target-'));
  engine = await startStandInEngine({ firstTokenMs: 30, tokenGapMs: 10, apiKey });
});

afterAll(async () => {
  await engine?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('gauntlet run load --target an OpenAI-compatible server', () => {
  it('sends the OpenAI routes, judges only what it sent, and passes a healthy server (exit 0)', async () => {
    const out = join(home, 'run');
    const result = await runCli(
      [
        'run',
        'load',
        '--target',
        engine.url,
        '--api-key',
        apiKey,
        '--rps',
        '150',
        '--duration',
        '30s',
        '--out',
        out,
      ],
      { GAUNTLET_HOME: home },
      120_000,
    );
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const file = join(out, 'run.json');
    const run = parseRunJson(readFileSync(file, 'utf8'), file);
    expect(run.verdict).toBe('pass');
    // Every request reached an OpenAI route (a request to /infer would be a 404, an error the error-rate SLO
    // counts); enough of them for that SLO to decide.
    expect(engine.bodies.length).toBeGreaterThanOrEqual(3_838);
    // The SLO on /infer, which the server does not serve, counts for nothing.
    const infer = run.slos.filter((s) => s.endpoint === 'infer');
    expect(infer.length).toBeGreaterThan(0);
    for (const slo of infer) expect(slo.verdict).toBe('not_applicable');
    const judged = run.slos.filter((s) => s.verdict !== 'not_applicable');
    expect(judged.length).toBeGreaterThan(0);
    for (const slo of judged) expect(slo.verdict, `${slo.id}: ${slo.reason}`).toBe('pass');
  }, 150_000);
});
