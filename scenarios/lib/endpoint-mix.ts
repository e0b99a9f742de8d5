import type { RequestSample } from '../../reports/model/request-sample.ts';

export type Endpoint = RequestSample['ep'];

export const endpoints: readonly Endpoint[] = ['infer', 'chat', 'chat_stream', 'completions'];

/** Endpoints with their share of requests; shares sum to 1, in a fixed order. */
export type EndpointMix = ReadonlyArray<{ endpoint: Endpoint; share: number }>;

const isEndpoint = (name: string): name is Endpoint => (endpoints as readonly string[]).includes(name);

/**
 * Parses `infer:0.5,chat_stream:0.5` (weights need not sum to 1; they are normalized). A bare name counts
 * as weight 1, so `chat_stream` alone is a valid mix.
 */
export function parseEndpointMix(text: string, variable = 'ENDPOINT_MIX'): EndpointMix {
  const weights = new Map<Endpoint, number>();
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const [name = '', weightText] = item.split(':').map((s) => s.trim());
    if (!isEndpoint(name)) {
      throw new Error(`${variable}: unknown endpoint '${name}' (allowed: ${endpoints.join(', ')})`);
    }
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!Number.isFinite(weight) || weight < 0) {
      throw new Error(`${variable}: weight of '${name}' must be a number >= 0, got '${weightText}'`);
    }
    weights.set(name, (weights.get(name) ?? 0) + weight);
  }
  let total = 0;
  for (const weight of weights.values()) total += weight;
  if (total <= 0) {
    throw new Error(
      `${variable}: '${text}' has no endpoint with a weight > 0 (e.g. infer:0.5,chat_stream:0.5)`,
    );
  }
  return endpoints
    .filter((endpoint) => (weights.get(endpoint) ?? 0) > 0)
    .map((endpoint) => ({ endpoint, share: (weights.get(endpoint) ?? 0) / total }));
}

/** The endpoint that a uniform draw in [0, 1) falls on. */
export function pickEndpoint(mix: EndpointMix, uniform: number): Endpoint {
  let cumulative = 0;
  for (const { endpoint, share } of mix) {
    cumulative += share;
    if (uniform < cumulative) return endpoint;
  }
  // Rounding can leave the sum a hair below 1.
  const last = mix[mix.length - 1];
  if (!last) throw new Error('empty endpoint mix');
  return last.endpoint;
}

export function formatEndpointMix(mix: EndpointMix): string {
  return mix.map(({ endpoint, share }) => `${endpoint}:${Number(share.toFixed(6))}`).join(',');
}
