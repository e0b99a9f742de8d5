import exec from 'k6/execution';
import http from 'k6/http';
import { nowUnixMs, record } from 'k6/x/gauntlet';
import { type Phase, scheduledOffsetMs } from '../arrival-schedule.ts';
import { metricValues } from '../build-sample.ts';
import { defaultModel, type GauntletConfig } from '../config.ts';
import { type PromptPool, planRequest } from '../plan-request.ts';
import { sampleFromResponse } from '../sample-from-response.ts';
import { addCanceled, addClientCancel, addRequestMetrics, addScheduleLag } from './gauntlet-metrics.ts';
import { sendRequest } from './send-request.ts';

/** What a scenario file hands to the shared iteration: its name, its configuration and its phases. */
export interface RunPlan {
  /** The scenario file's name (smoke, load, ...): the `sc` of every sample. */
  scenario: string;
  config: GauntletConfig;
  phases: readonly Phase[];
  pool: PromptPool | undefined;
}

export interface SetupData {
  model: string;
}

export function authHeaders(config: GauntletConfig): Record<string, string> {
  return config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {};
}

/**
 * The model for the /v1 routes: MODEL, else what GET /v1/models lists first (so the scenarios work with
 * any cluster config), else the config's default name with a warning.
 */
export function setupRun(plan: RunPlan): SetupData {
  const { config } = plan;
  if (config.model) return { model: config.model };
  if (config.endpointMix.every(({ endpoint }) => endpoint === 'infer')) return { model: defaultModel };
  const res = http.get(`${config.target}/v1/models`, {
    headers: authHeaders(config),
    timeout: Math.min(config.requestTimeoutMs, 10_000),
    tags: { name: '/v1/models' },
  });
  if (res.status === 200 && typeof res.body === 'string') {
    try {
      const listed = JSON.parse(res.body) as { data?: Array<{ id?: unknown }> };
      const id = listed.data?.[0]?.id;
      if (typeof id === 'string' && id !== '') return { model: id };
    } catch {
      // Fall through to the default below.
    }
  }
  console.warn(
    `GET ${config.target}/v1/models answered ${res.status} ${res.error}; using model '${defaultModel}' (set MODEL)`,
  );
  return { model: defaultModel };
}

/** One iteration = one request: plan it from (SEED, phase, iteration), send it, record its sample. */
export function runIteration(plan: RunPlan, data: SetupData): void {
  const startedUnixMs = nowUnixMs();
  const phaseName = exec.scenario.name;
  const iteration = exec.scenario.iterationInTest;
  const phase = plan.phases.find((candidate) => candidate.name === phaseName);
  const offsetMs = phase ? scheduledOffsetMs(phase, iteration) : undefined;
  if (offsetMs !== undefined) addScheduleLag(startedUnixMs - (exec.scenario.startTime + offsetMs));

  const { config } = plan;
  const planned = planRequest(
    config,
    { phase: phaseName, iteration, vu: exec.vu.idInTest },
    data.model,
    plan.pool,
  );
  const raw = sendRequest(planned.spec, {
    url: `${config.target}${planned.spec.path}`,
    headers: {
      ...authHeaders(config),
      'content-type': 'application/json',
      'x-request-id': planned.id,
    },
    // A client that cancels stops reading at its own deadline, which closes the connection as a browser tab
    // closing would; the stack has to notice and free the sequence.
    timeoutMs: Math.min(config.requestTimeoutMs, planned.cancelAfterMs ?? Number.POSITIVE_INFINITY),
  });
  if (planned.cancelAfterMs !== undefined && raw.transport === 'timeout') {
    addClientCancel(planned.endpoint);
    return;
  }
  const result = sampleFromResponse(
    {
      id: planned.id,
      scenario: plan.scenario,
      phase: phaseName,
      endpoint: planned.endpoint,
      streamed: planned.spec.streamed,
    },
    raw,
  );
  if (result.canceled) {
    addCanceled(planned.endpoint);
    return;
  }
  record(JSON.stringify(result.sample));
  addRequestMetrics(metricValues(result.sample), planned.endpoint);
}
