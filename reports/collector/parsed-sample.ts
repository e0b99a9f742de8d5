import { endpointIndex, errorKindIndex } from '../model/kinds.js';

/**
 * One request sample as the collector needs it, in a reused mutable object (no per-sample object churn).
 * Numbers are NaN when absent; `endpoint` and `errorKind` are indices (ENDPOINTS, ERROR_KINDS), -1 when
 * absent or not a known endpoint.
 */
export class ParsedSample {
  id: string | undefined;
  scenario: string | undefined;
  phase: string | undefined;
  endpoint = -1;
  t0 = Number.NaN;
  status = Number.NaN;
  ok = Number.NaN;
  errorKind = -1;
  e2e = Number.NaN;
  ttft = Number.NaN;
  out = Number.NaN;
  inTokens = Number.NaN;
  /** ITL gaps in ms; the first `itlCount` entries are this sample's. */
  itl = new Float64Array(256);
  itlCount = 0;

  reset(): void {
    this.id = undefined;
    this.scenario = undefined;
    this.phase = undefined;
    this.endpoint = -1;
    this.t0 = Number.NaN;
    this.status = Number.NaN;
    this.ok = Number.NaN;
    this.errorKind = -1;
    this.e2e = Number.NaN;
    this.ttft = Number.NaN;
    this.out = Number.NaN;
    this.inTokens = Number.NaN;
    this.itlCount = 0;
  }

  pushItl(ms: number): void {
    if (this.itlCount === this.itl.length) {
      const bigger = new Float64Array(this.itl.length * 2);
      bigger.set(this.itl);
      this.itl = bigger;
    }
    this.itl[this.itlCount++] = ms;
  }

  /** Fills from a JSON.parse'd value: the slow path, for lines the fast parser hands back. */
  fillFrom(value: unknown): void {
    this.reset();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const s = value as Record<string, unknown>;
    if (typeof s.id === 'string') this.id = s.id;
    if (typeof s.sc === 'string') this.scenario = s.sc;
    if (typeof s.ph === 'string') this.phase = s.ph;
    if (typeof s.ep === 'string') this.endpoint = endpointIndex(s.ep);
    this.t0 = numberOrNaN(s.t0);
    this.status = numberOrNaN(s.st);
    this.ok = numberOrNaN(s.ok);
    if (s.err !== undefined && s.err !== null) this.errorKind = errorKindIndex(s.err);
    this.e2e = numberOrNaN(s.e2e);
    this.ttft = numberOrNaN(s.ttft);
    this.out = numberOrNaN(s.out);
    this.inTokens = numberOrNaN(s.in);
    if (Array.isArray(s.itl)) for (const gap of s.itl) if (typeof gap === 'number') this.pushItl(gap);
  }
}

function numberOrNaN(v: unknown): number {
  return typeof v === 'number' ? v : Number.NaN;
}
