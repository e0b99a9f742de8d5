import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { ErrorKind, RequestSample } from '../../reports/model/request-sample.js';
import type { LoadPlan, LoadStarter, RunningLoad } from '../run-experiment.js';

/**
 * A small open-loop load for chaos tests that must not depend on k6: `rate` requests a second for
 * `durationS`, alternating streamed chat and non-streamed completions (or the seed's /infer when the plan's
 * mix sends it, as the reference experiments do), one RequestSample line each.
 * Loopback only; bounded in count (rate x duration) and time (each request times out).
 */
export class FetchLoad implements LoadStarter {
  constructor(private readonly options: { model: string; maxTokens?: number; timeoutMs?: number }) {}

  async start(plan: LoadPlan): Promise<RunningLoad> {
    const target = new URL(plan.gatewayUrl);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
      throw new Error(`loopback only, not ${target.hostname}`);
    mkdirSync(plan.outDir, { recursive: true });
    const samplesFile = join(plan.outDir, 'samples.ndjson');
    const out = createWriteStream(samplesFile, { flags: 'a' });
    const agent = new Agent({ connections: 256, keepAliveTimeout: 10_000 });
    const total = Math.min(100_000, Math.round(plan.rate * plan.durationS));
    const intervalMs = 1000 / plan.rate;
    const startAt = Date.now() + 20;
    const inflight = new Set<Promise<void>>();
    let stopped = false;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const maxTokens = this.options.maxTokens ?? 16;
    const plain = (plan.endpointMix?.infer ?? 0) > 0 ? 'infer' : 'completions';

    const one = async (index: number): Promise<void> => {
      const stream = index % 2 === 0;
      const id = `${plan.experimentId}-${startAt}-${index}`;
      const t0 = Date.now();
      const sample: RequestSample = {
        id,
        sc: plan.scenario,
        ph: 'steady',
        ep: stream ? 'chat_stream' : plain,
        t0,
        st: 0,
        ok: 0,
        e2e: 0,
        out: 0,
      };
      try {
        const response = await request(
          `${plan.gatewayUrl}${stream ? '/v1/chat/completions' : plain === 'infer' ? '/infer' : '/v1/completions'}`,
          {
            method: 'POST',
            dispatcher: agent,
            headers: {
              authorization: `Bearer ${plan.apiKey}`,
              'content-type': 'application/json',
              'x-request-id': id,
            },
            body: JSON.stringify(
              stream
                ? {
                    model: this.options.model,
                    messages: [{ role: 'user', content: `chaos ${index}` }],
                    max_tokens: maxTokens,
                    stream: true,
                  }
                : plain === 'infer'
                  ? { prompt: `chaos ${index}`, max_tokens: maxTokens }
                  : { model: this.options.model, prompt: `chaos ${index}`, max_tokens: maxTokens },
            ),
            signal: AbortSignal.timeout(timeoutMs),
          },
        );
        sample.st = response.statusCode;
        const worker = response.headers['x-gauntlet-worker-id'];
        if (typeof worker === 'string') sample.w = worker;
        let text = '';
        for await (const chunk of response.body) {
          if (sample.ttft === undefined && stream) sample.ttft = Date.now() - t0;
          text += chunk.toString();
        }
        sample.e2e = Date.now() - t0;
        const err = classify(response.statusCode, stream, text);
        if (err) sample.err = err;
        else sample.ok = 1;
      } catch (error) {
        sample.e2e = Date.now() - t0;
        sample.err =
          (error as Error).name === 'TimeoutError' ? 'timeout' : sample.st > 0 ? 'stream_cut' : 'connection';
      }
      out.write(`${JSON.stringify(sample)}\n`);
    };

    const done = (async () => {
      for (let i = 0; i < total && !stopped; i++) {
        const wait = startAt + i * intervalMs - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (stopped) break;
        const p = one(i).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      await Promise.all(inflight);
      await new Promise((resolve) => out.end(resolve));
      await agent.close();
    })();
    return {
      samplesFile,
      done,
      stop: async () => {
        stopped = true;
        await done;
      },
    };
  }
}

function classify(status: number, stream: boolean, text: string): ErrorKind | undefined {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  if (stream && (!text.includes('data: [DONE]') || text.includes('"error"'))) return 'stream_cut';
  return undefined;
}
