import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../chaos/faults/fault-journal.js';
import { leftByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { parseRunJson } from '../reports/render/write-reports.js';
import { startPrometheus } from '../runner/prometheus/prometheus-server.js';
import { runCli, writeSmallConfig } from './support/cli.js';
import { dockerSkipReason } from './support/docker-engine.js';
import { processesWithArg } from './support/process-args.js';

const hasPrometheus = existsSync('/usr/bin/prometheus');
// The same check on each platform that can run here; one without its engine is skipped, saying why.
const platforms = [
  { name: 'local', skip: undefined },
  { name: 'docker', skip: await dockerSkipReason() },
];

/**
 * A short experiment for the small stack: 8 req/s, 10 s of steady state (a window needs 20 requests before
 * it is more than inconclusive, or no fault is injected; a busy shared host drops many), one GPU slowed 2x
 * for 4 s (through the worker's admin API: its rollback is one call, where a killed worker's restart can
 * outlast its readiness timeout on a busy host, and a failed rollback rightly leaves the series at 1).
 */
const experimentYaml = `id: prom-slow
title: Slow one GPU, briefly
description: One GPU 2x slower for 4 s under light load, to see the fault in the run's Prometheus.
expectedOutcome: The fault's series is 1 while the GPU is slowed and 0 once it is rolled back.
steadyState:
  slos:
    - { id: error-rate, metric: error_rate, op: "<", threshold: 0.5 }
  windowS: 10
load:
  scenario: load
  rate: 8
  durationS: 18
faults:
  - id: slow-one
    at: 11
    action: gpu-slowdown
    target: { count: 1, pick: first }
    durationS: 4
    params: { factor: 2 }
`;

interface RangeResult {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

describe.skipIf(!hasPrometheus)('gauntlet chaos --prometheus', () => {
  for (const platform of platforms) {
    it.skipIf(platform.skip !== undefined)(
      `--platform ${platform.name}${platform.skip ? ` (skipped: ${platform.skip})` : ''}: gauntlet_fault_active is 1 while the fault is in force, 0 after, and nothing is left running`,
      () => faultSeriesCheck(platform.name),
      300_000,
    );
  }
});

async function faultSeriesCheck(platform: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-prom-faults-'));
  const out = join(dir, 'run');
  const experiment = join(dir, 'prom-slow.yaml');
  writeFileSync(experiment, experimentYaml);
  const env = { ...process.env, GAUNTLET_HOME: join(dir, 'home') };
  const args = ['chaos', experiment, '--platform', platform, '--config', writeSmallConfig(dir)];
  const result = await runCli([...args, '--prometheus', '--out', out], env, 280_000);
  // Pass, fail or inconclusive: the verdict is not this test's subject, a harness error would be.
  expect([0, 1, 2], result.stdout + result.stderr).toContain(result.code);
  const exporterUrl = /harness series at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(result.stderr)?.[1];
  expect(exporterUrl, result.stderr).toBeDefined();

  // Nothing left behind: neither the run's Prometheus, nor the exporter, nor the stack.
  expect(processesWithArg(`--config.file=${join(out, 'prometheus', 'prometheus.yml')}`)).toEqual([]);
  await expect(fetch(exporterUrl ?? '', { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  expect((await runCli(['status'], env)).stdout).toMatch(/no stack is running/);

  const run = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
  const journal = JSON.parse(readFileSync(join(out, 'fault-journal.json'), 'utf8')) as {
    faults: JournalEntry[];
  };
  const fault = journal.faults.find((f) => f.faultId === 'slow-one');
  expect(fault, `the fault was not injected: ${run.notes.join('; ')}`).toBeDefined();
  expect(fault?.targets).toHaveLength(1);
  expect(fault?.revertedAt).toBeDefined();
  expect(fault?.revertError).toBeUndefined();
  // The stack's run id: the Prometheus selector run.json records, and the testid of k6's and the harness's
  // series (run.json's own runId is the output folder's name).
  const stackRunId = /^gauntlet_run="(.+)"$/.exec(run.serverMetrics.source?.selector ?? '')?.[1] ?? '';
  expect(stackRunId).not.toBe('');
  if (platform === 'docker') expect(await leftByLabel(stackRunId)).toEqual([]);
  const injectedAt = (fault?.injectedAt ?? 0) / 1000;
  const revertedAt = (fault?.revertedAt ?? 0) / 1000;

  // The TSDB outlives the run: read the series' raw samples back by PromQL (a range selector over the
  // whole run) from a Prometheus started on it again.
  await using reopened = await startPrometheus({ runId: stackRunId, dir: join(out, 'prometheus') });
  const params = new URLSearchParams({
    query: `gauntlet_fault_active{testid="${stackRunId}"}[10m]`,
    time: String(Date.parse(run.endedAt) / 1000 + 60),
  });
  const body = (await (await fetch(`${reopened.url}/api/v1/query?${params}`)).json()) as {
    status: string;
    data: { result: RangeResult[] };
  };
  expect(body.status).toBe('success');
  expect(body.data.result.map((r) => r.metric)).toEqual([
    expect.objectContaining({
      __name__: 'gauntlet_fault_active',
      testid: stackRunId,
      fault_id: 'slow-one',
      action: 'gpu-slowdown',
      target: fault?.targets[0],
      role: 'harness',
      gauntlet_run: stackRunId,
    }),
  ]);
  // A sample is stamped when its scrape starts and read a moment later, when the request arrives: one
  // stamped from the injection until shortly before the rollback ended must read 1, one stamped after
  // the rollback ended 0. The series does not exist before the fault is journaled.
  const samples = (body.data.result[0]?.values ?? []).map(([t, v]) => ({ t, v: Number(v) }));
  const edgeS = 0.2;
  expect(samples.filter((p) => p.t < injectedAt - edgeS)).toEqual([]);
  const during = samples.filter((p) => p.t >= injectedAt && p.t < revertedAt - edgeS);
  expect(during.length).toBeGreaterThanOrEqual(3);
  expect(during.every((p) => p.v === 1)).toBe(true);
  const after = samples.filter((p) => p.t >= revertedAt);
  expect(after.length).toBeGreaterThan(0);
  expect(after.every((p) => p.v === 0)).toBe(true);
}
