import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackHandle } from '../core/platform/platform.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';
import { peerBin, peersDir, pythonSkipReason, runPeer } from './support/python-peers.js';

// The official openai Python client (pinned in bin/setup/python-requirements.txt) against the reference
// gateway: models, chat and legacy completions, each non-streamed and streamed, and a wrongly typed field.
const skipReason = pythonSkipReason('peer-openai-python');
let stack: StackHandle;

beforeAll(async () => {
  if (skipReason) return;
  useTempGauntletHome();
  stack = await upLocalStack(
    'etcd:\n  members: 1\nbatchers:\n  replicas: 1\nnodes:\n  - name: node-a\n    gpus: 2\n',
  );
}, 60_000);

afterAll(async () => {
  await stack?.down();
  expect(aliveProcesses()).toEqual([]);
});

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}
interface ClientReport {
  openai_version: string;
  models: string[];
  chat: { object: string; text: string; finish_reason: string; usage: Usage };
  chat_stream: { text: string; chunks: number; finish_reason: string; usage: Usage | null };
  completion: { object: string; text: string; usage: Usage };
  completion_stream: { text: string; chunks: number };
  wrong_type: { raised: string | null; status?: number; param?: string; code?: string; type?: string };
}

const words = (text: string) => text.trim().split(/\s+/).length;

describe.skipIf(skipReason !== undefined)(
  `openai-python against the reference gateway${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('lists the model, completes and streams chat and legacy completions, and raises on a wrong type', async () => {
      const model = stack.config.model_name;
      const run = await runPeer(
        peerBin('python'),
        [join(peersDir, 'openai-client.py'), stack.gatewayUrl, stack.apiKey, model],
        { timeoutMs: 120_000 },
      );
      expect(run.code, run.stderr.slice(-4000)).toBe(0);
      const report = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as ClientReport;

      expect(report.openai_version).toBe('3.57.0');
      expect(report.models).toEqual([model]);

      expect(report.chat).toMatchObject({ object: 'chat.completion', finish_reason: 'length' });
      expect(words(report.chat.text)).toBe(12);
      expect(report.chat.usage.completion_tokens).toBe(12);
      expect(report.chat.usage.total_tokens).toBe(report.chat.usage.prompt_tokens + 12);

      expect(words(report.chat_stream.text)).toBe(10);
      expect(report.chat_stream.chunks).toBeGreaterThan(2);
      expect(report.chat_stream.finish_reason).toBe('length');
      expect(report.chat_stream.usage?.completion_tokens).toBe(10);

      expect(report.completion.object).toBe('text_completion');
      expect(words(report.completion.text)).toBe(8);
      expect(report.completion.usage.completion_tokens).toBe(8);
      expect(words(report.completion_stream.text)).toBe(6);
      expect(report.completion_stream.chunks).toBeGreaterThan(1);

      expect(report.wrong_type).toEqual({
        raised: 'BadRequestError',
        status: 400,
        param: 'temperature',
        code: 'invalid_type',
        type: 'invalid_request_error',
      });
    }, 180_000);
  },
);
