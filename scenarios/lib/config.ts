import { type EndpointMix, parseEndpointMix } from './endpoint-mix.ts';
import { booleanVar, durationVar, type Env, numberVar, stringVar } from './env-vars.ts';
import type { PromptLengths } from './synthetic-prompt.ts';
import { readWorkload, type WorkloadOptions } from './workload.ts';

/** Where prompts come from: a ShareGPT-shaped file, or the seeded synthetic generator. */
export type PromptSource = { kind: 'file'; path: string } | { kind: 'synthetic'; lengths: PromptLengths };

/** The SLOs that scenario thresholds check (k6 exits 99 when one fails). */
export interface SloLimits {
  e2eP99Ms: number;
  ttftP99Ms: number;
  errorRate: number;
}

/** Everything the scenarios share, read once from the environment (see scenarios/README.md). */
export interface GauntletConfig {
  /** Gateway base URL without a trailing slash. */
  target: string;
  apiKey: string | undefined;
  /** Requests per second of the scenario's base load. */
  rate: number;
  /** Length of the scenario's main phase. */
  durationS: number;
  /** Length of the warm-up phase at RATE before it; 0 skips it. */
  warmupS: number;
  seed: number;
  endpointMix: EndpointMix;
  maxTokens: number;
  /** Model name for the /v1 routes; undefined: asked from GET /v1/models in setup(). */
  model: string | undefined;
  prompts: PromptSource;
  requestTimeoutMs: number;
  /** Latency the VU pool is sized for (Little's law: VUs = rate x latency). */
  expectedLatencyMs: number;
  /** Upper bound on VUs per phase, whatever the sizing asks for. */
  maxVUs: number;
  /** Prefix of every x-request-id: unique per run when the harness passes GAUNTLET_RUN_ID. */
  idPrefix: string;
  slo: SloLimits;
  /** Shared prefixes, multi-turn conversations, early cancels (workload.ts); all off by default. */
  workload: WorkloadOptions;
}

export interface ScenarioDefaults {
  rate: number;
  durationS: number;
  warmupS: number;
}

export const defaultModel = 'glm-4-9b-chat';

export function readConfig(env: Env, defaults: ScenarioDefaults): GauntletConfig {
  const target = readTarget(env);
  const seed = numberVar(env, 'SEED', 1, { integer: true, min: 0, max: 4294967295 });
  const promptsPath = stringVar(env, 'PROMPTS');
  const meanTokens = numberVar(env, 'PROMPT_TOKENS_MEAN', 256, { min: 1 });
  const prompts: PromptSource = promptsPath
    ? { kind: 'file', path: promptsPath }
    : {
        kind: 'synthetic',
        lengths: {
          meanTokens,
          sdTokens: numberVar(env, 'PROMPT_TOKENS_SD', Math.round(meanTokens / 4), { min: 0 }),
          maxTokens: numberVar(env, 'PROMPT_TOKENS_MAX', Math.max(4096, meanTokens * 4), {
            integer: true,
            min: 1,
          }),
        },
      };
  return {
    target,
    apiKey: stringVar(env, 'GAUNTLET_API_KEY'),
    rate: numberVar(env, 'RATE', defaults.rate, { min: 0.001, max: 1_000_000 }),
    durationS: durationVar(env, 'DURATION', defaults.durationS, 1),
    warmupS: durationVar(env, 'WARMUP', defaults.warmupS),
    seed,
    endpointMix: parseEndpointMix(stringVar(env, 'ENDPOINT_MIX') ?? 'chat_stream:1'),
    maxTokens: numberVar(env, 'MAX_TOKENS', 64, { integer: true, min: 1 }),
    model: stringVar(env, 'MODEL'),
    prompts,
    requestTimeoutMs: numberVar(env, 'REQUEST_TIMEOUT_MS', 60_000, { min: 1 }),
    expectedLatencyMs: numberVar(env, 'EXPECTED_LATENCY_MS', 2_000, { min: 1 }),
    maxVUs: numberVar(env, 'MAX_VUS', 2_000, { integer: true, min: 1 }),
    idPrefix: idPrefixOf(seed, stringVar(env, 'GAUNTLET_RUN_ID')),
    slo: {
      e2eP99Ms: numberVar(env, 'SLO_E2E_P99_MS', 30_000, { min: 0 }),
      ttftP99Ms: numberVar(env, 'SLO_TTFT_P99_MS', 5_000, { min: 0 }),
      errorRate: numberVar(env, 'SLO_ERROR_RATE', 0.01, { min: 0, max: 1 }),
    },
    workload: readWorkload(env),
  };
}

const urlPattern = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[^/:?#\s]+)(:\d{1,5})?(\/[^?#\s]*)?$/;

/**
 * GAUNTLET_TARGET, checked against the network rule: load goes to loopback addresses only, unless the
 * harness vouches for the target (a container or namespace that the run itself created) with
 * GAUNTLET_ALLOW_NON_LOOPBACK=true.
 */
function readTarget(env: Env): string {
  const text = stringVar(env, 'GAUNTLET_TARGET');
  if (text === undefined) {
    throw new Error('GAUNTLET_TARGET: required, the gateway base URL (e.g. http://127.0.0.1:8080)');
  }
  const match = urlPattern.exec(text);
  if (!match) throw new Error(`GAUNTLET_TARGET: '${text}' is not an http(s) URL like http://127.0.0.1:8080`);
  const host = (match[2] ?? '').toLowerCase();
  if (!isLoopback(host) && !booleanVar(env, 'GAUNTLET_ALLOW_NON_LOOPBACK', false)) {
    throw new Error(
      `GAUNTLET_TARGET: '${host}' is not a loopback address (127.0.0.0/8, ::1, localhost); ` +
        'set GAUNTLET_ALLOW_NON_LOOPBACK=true only for targets this run created',
    );
  }
  return text.replace(/\/+$/, '');
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  const octets = host.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)
  );
}

/** `g<seed>` plus the run id, reduced to characters the gateway accepts in x-request-id. */
function idPrefixOf(seed: number, runId: string | undefined): string {
  const run = (runId ?? '').replace(/[^A-Za-z0-9_.]/g, '').slice(0, 48);
  return run === '' ? `g${seed}` : `g${seed}.${run}`;
}
