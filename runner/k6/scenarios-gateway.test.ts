import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewaySchema } from '../../core/config/cluster-config.js';
import type { RequestSample } from '../../reports/model/request-sample.js';
import { type GatewayServer, startGatewayServer } from '../../stack/gateway/gateway-server.js';
import { estimateTokens } from '../../stack/protocol/tokens.js';
import { StaticRecordSource } from '../../stack/runtime/registry-view.js';
import { type FakeBatcher, startFakeBatcher } from '../../stack/testing/fake-batcher.js';
import { K6LoadDriver } from '../load/k6-load-driver.js';
import type { LoadOutcome } from '../load/load-driver.js';
import { projectK6 } from './project-k6.js';

const apiKey = 'scenario-test-key-0123';
const model = 'gauntlet-test-model';
const prompts = ['What is continuous batching?', 'Explain the KV cache in two sentences.', 'Hi'];

/**
 * The scenarios through the real gateway (over a scripted batcher): every endpoint kind, model discovery
 * via GET /v1/models, a ShareGPT dataset, the evidence headers, and the error kinds a stack produces.
 */
describe('scenarios against the real gateway', () => {
  let batcher: FakeBatcher;
  let gateway: GatewayServer;
  let dir: string;
  let runs = 0;

  async function run(
    env: Record<string, string>,
    scenario: 'smoke' | 'load' = 'smoke',
  ): Promise<{ outcome: LoadOutcome; samples: RequestSample[] }> {
    const loadRun = await new K6LoadDriver().start({
      scenario,
      target: gateway.url,
      apiKey,
      rate: 20,
      durationS: 2,
      seed: 5,
      endpointMix: 'infer,chat,chat_stream,completions',
      maxTokens: 8,
      outDir: join(dir, `run-${++runs}`),
      env: { WARMUP: '0', EXPECTED_LATENCY_MS: '100', REQUEST_TIMEOUT_MS: '5000', ...env },
    });
    const outcome = await loadRun.done;
    const text = await readFile(loadRun.samplesFile, 'utf8');
    const samples = text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RequestSample);
    return { outcome, samples };
  }

  beforeAll(async () => {
    batcher = await startFakeBatcher('b-0');
    gateway = await startGatewayServer({
      gateway: gatewaySchema.parse({}),
      modelName: model,
      apiKeys: [apiKey],
      batchers: new StaticRecordSource([batcher.record]),
    });
    dir = await mkdtemp(join(tmpdir(), 'gauntlet-scenarios-'));
  });

  afterAll(async () => {
    await gateway?.close();
    await batcher?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('drives every endpoint with dataset prompts and records what the stack says', async () => {
    projectK6();
    const dataset = join(dir, 'sharegpt.jsonl');
    await writeFile(
      dataset,
      prompts.map((value) => JSON.stringify({ conversations: [{ from: 'human', value }] })).join('\n'),
    );
    batcher.setBehavior({ kind: 'ok', tokensPerLine: 1 });
    const { outcome, samples } = await run({ PROMPTS: dataset });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.exitCode).toBe(0);
    expect(samples.length).toBe(outcome.iterations);
    expect(new Set(samples.map((s) => s.ep))).toEqual(
      new Set(['infer', 'chat', 'chat_stream', 'completions']),
    );
    for (const sample of samples) {
      expect(sample).toMatchObject({ ok: 1, st: 200, out: 8, sc: 'smoke', ph: 'steady', q: 7, bs: 4, a: 1 });
      expect(sample.w).toBe('worker-fake-0');
      expect(sample.b).toBe('b-0');
      expect(sample.in).toBeGreaterThan(0);
      if (sample.ep === 'chat_stream' || sample.ep === 'completions') {
        expect(sample.ttft).toBeGreaterThan(0);
        expect(sample.itl).toHaveLength(7);
      } else {
        expect(sample.ttft).toBeUndefined();
      }
    }
    // The gateway counted the dataset's prompts: /infer and completions send the prompt as it is.
    const allowed = new Set(prompts.map(estimateTokens));
    const plainPrompts = samples.filter((s) => s.ep === 'infer' || s.ep === 'completions').map((s) => s.in);
    expect(plainPrompts.every((tokens) => tokens !== undefined && allowed.has(tokens))).toBe(true);
  });

  it('classifies cut streams and load shedding, and fails the smoke thresholds', async () => {
    projectK6();
    batcher.setBehavior({ kind: 'cut', afterTokens: 2 });
    const cut = await run({ ENDPOINT_MIX: 'chat_stream,completions' });
    expect(cut.outcome).toMatchObject({ exitCode: 99, thresholdsFailed: true, aborted: false });
    expect(cut.samples.length).toBeGreaterThan(0);
    for (const sample of cut.samples) {
      expect(sample).toMatchObject({ ok: 0, err: 'stream_cut', st: 200 });
      expect(sample.ttft).toBeGreaterThan(0);
      // No usage chunk in a cut stream: output is counted in chunks, and one chunk may carry both tokens.
      expect(sample.out).toBeGreaterThanOrEqual(1);
      expect(sample.out).toBeLessThanOrEqual(2);
    }

    batcher.setBehavior({ kind: 'status', status: 429, code: 'queue_full', retryAfterS: 1 });
    const shed = await run({ ENDPOINT_MIX: 'infer,chat_stream' });
    expect(shed.outcome.thresholdsFailed).toBe(true);
    expect(shed.samples.every((s) => s.ok === 0 && s.err === 'rate_limited' && s.st === 429)).toBe(true);
  });
});
