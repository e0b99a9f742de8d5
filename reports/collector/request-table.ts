import {
  ENDPOINTS,
  type Endpoint,
  ERROR_KINDS,
  emptyErrorCounts,
  type ReportErrorKind,
} from '../model/kinds.js';

/** A scenario/phase pair; requests point at one by index. */
export interface ScenarioPhase {
  scenario: string;
  phase: string;
}

/** One request as a plain object, for the few places that want one (tests, small listings). */
export interface RequestRow {
  index: number;
  id: string;
  t0: number;
  e2eMs: number;
  ttftMs: number | undefined;
  ok: boolean;
  error: ReportErrorKind | undefined;
  endpoint: Endpoint;
  scenario: string;
  phase: string;
  status: number;
  outputTokens: number;
}

/** Which time a window query matches a request by: when it was sent, or when it finished. */
export type WindowTime = 'start' | 'end';

/**
 * Every request in compact columns (typed arrays, grown by doubling), about 30 bytes a request plus its
 * id string. Kept for what aggregate histograms cannot answer: joins with fault timestamps (requests failed
 * in a window, by kind), streams cut, lost and duplicated ids, per-second timelines and goodput, and SLOs
 * scoped to a time window.
 */
export class RequestTable {
  private size = 0;
  private capacity: number;
  private t0Col: Float64Array;
  private e2eCol: Float32Array;
  private ttftCol: Float32Array;
  private okCol: Uint8Array;
  private errCol: Uint8Array;
  private epCol: Uint8Array;
  private groupCol: Uint16Array;
  private statusCol: Uint16Array;
  private outCol: Uint32Array;
  private readonly idCol: string[] = [];
  private readonly groupList: ScenarioPhase[] = [];

  constructor(initialCapacity = 4096) {
    this.capacity = Math.max(16, initialCapacity);
    this.t0Col = new Float64Array(this.capacity);
    this.e2eCol = new Float32Array(this.capacity);
    this.ttftCol = new Float32Array(this.capacity);
    this.okCol = new Uint8Array(this.capacity);
    this.errCol = new Uint8Array(this.capacity);
    this.epCol = new Uint8Array(this.capacity);
    this.groupCol = new Uint16Array(this.capacity);
    this.statusCol = new Uint16Array(this.capacity);
    this.outCol = new Uint32Array(this.capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Registers a scenario/phase pair and returns its index (the collector caches it). */
  addGroup(scenario: string, phase: string): number {
    if (this.groupList.length >= 0xffff) throw new Error('more than 65535 scenario/phase pairs');
    this.groupList.push({ scenario, phase });
    return this.groupList.length - 1;
  }

  get groups(): readonly ScenarioPhase[] {
    return this.groupList;
  }

  /**
   * Appends one request. `errorIndex` is 0 for none, else 1 + index in ERROR_KINDS; `ttftMs` NaN when the
   * request was not streamed.
   */
  append(
    id: string,
    t0: number,
    e2eMs: number,
    ttftMs: number,
    ok: boolean,
    errorIndex: number,
    endpointIndex: number,
    group: number,
    status: number,
    outputTokens: number,
  ): void {
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    this.t0Col[i] = t0;
    this.e2eCol[i] = e2eMs;
    this.ttftCol[i] = ttftMs;
    this.okCol[i] = ok ? 1 : 0;
    this.errCol[i] = errorIndex;
    this.epCol[i] = endpointIndex;
    this.groupCol[i] = group;
    this.statusCol[i] = status;
    this.outCol[i] = outputTokens;
    this.idCol.push(id);
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const grow = <T extends Float64Array | Float32Array | Uint8Array | Uint16Array | Uint32Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const next = make(cap);
      next.set(old);
      return next;
    };
    this.t0Col = grow(this.t0Col, (n) => new Float64Array(n));
    this.e2eCol = grow(this.e2eCol, (n) => new Float32Array(n));
    this.ttftCol = grow(this.ttftCol, (n) => new Float32Array(n));
    this.okCol = grow(this.okCol, (n) => new Uint8Array(n));
    this.errCol = grow(this.errCol, (n) => new Uint8Array(n));
    this.epCol = grow(this.epCol, (n) => new Uint8Array(n));
    this.groupCol = grow(this.groupCol, (n) => new Uint16Array(n));
    this.statusCol = grow(this.statusCol, (n) => new Uint16Array(n));
    this.outCol = grow(this.outCol, (n) => new Uint32Array(n));
    this.capacity = cap;
  }

  /** Column views (no copy) of the first `length` rows. */
  get t0(): Float64Array {
    return this.t0Col.subarray(0, this.size);
  }
  get e2eMs(): Float32Array {
    return this.e2eCol.subarray(0, this.size);
  }
  /** NaN where the request was not streamed. */
  get ttftMs(): Float32Array {
    return this.ttftCol.subarray(0, this.size);
  }
  get ok(): Uint8Array {
    return this.okCol.subarray(0, this.size);
  }
  /** 0 = no error, else 1 + index into ERROR_KINDS. */
  get errorIndex(): Uint8Array {
    return this.errCol.subarray(0, this.size);
  }
  /** Index into ENDPOINTS. */
  get endpointIndex(): Uint8Array {
    return this.epCol.subarray(0, this.size);
  }
  /** Index into `groups`. */
  get groupIndex(): Uint16Array {
    return this.groupCol.subarray(0, this.size);
  }
  get status(): Uint16Array {
    return this.statusCol.subarray(0, this.size);
  }
  get outputTokens(): Uint32Array {
    return this.outCol.subarray(0, this.size);
  }
  get ids(): readonly string[] {
    return this.idCol;
  }

  row(index: number): RequestRow {
    if (index < 0 || index >= this.size) throw new RangeError(`row ${index} outside 0..${this.size - 1}`);
    const group = this.groupList[this.groupCol[index] ?? 0] ?? { scenario: '', phase: '' };
    const err = this.errCol[index] ?? 0;
    const ttft = this.ttftCol[index] ?? Number.NaN;
    return {
      index,
      id: this.idCol[index] ?? '',
      t0: this.t0Col[index] ?? 0,
      e2eMs: this.e2eCol[index] ?? 0,
      ttftMs: Number.isNaN(ttft) ? undefined : ttft,
      ok: this.okCol[index] === 1,
      error: err === 0 ? undefined : ERROR_KINDS[err - 1],
      endpoint: ENDPOINTS[this.epCol[index] ?? 0] ?? 'infer',
      scenario: group.scenario,
      phase: group.phase,
      status: this.statusCol[index] ?? 0,
      outputTokens: this.outCol[index] ?? 0,
    };
  }

  /** Whether request i falls in [fromMs, toMs) by its start or its end (t0 + e2e). */
  private inWindow(i: number, fromMs: number, toMs: number, by: WindowTime): boolean {
    const t0 = this.t0Col[i] ?? 0;
    const t = by === 'start' ? t0 : t0 + (this.e2eCol[i] ?? 0);
    return t >= fromMs && t < toMs;
  }

  /** Indices of the requests in [fromMs, toMs) (Unix ms) by start or end time. */
  indicesInWindow(fromMs: number, toMs: number, by: WindowTime = 'start'): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.inWindow(i, fromMs, toMs, by)) out.push(i);
    return out;
  }

  /**
   * Failed requests in [fromMs, toMs) by error kind. By `end` (the default) a failure counts when it was
   * seen, which is what a fault join wants: a request sent before the fault and cut by it counts in it.
   */
  failuresInWindow(
    fromMs: number,
    toMs: number,
    by: WindowTime = 'end',
  ): { total: number; failed: number; byKind: Record<ReportErrorKind, number> } {
    const byKind = emptyErrorCounts();
    let total = 0;
    let failed = 0;
    for (let i = 0; i < this.size; i++) {
      if (!this.inWindow(i, fromMs, toMs, by)) continue;
      total++;
      if (this.okCol[i] === 1) continue;
      failed++;
      const kind = ERROR_KINDS[(this.errCol[i] ?? 7) - 1] ?? 'unknown';
      byKind[kind]++;
    }
    return { total, failed, byKind };
  }

  /** Ids of streams that started and ended without their final chunk, optionally only in a window. */
  streamsCut(
    fromMs = Number.NEGATIVE_INFINITY,
    toMs = Number.POSITIVE_INFINITY,
    by: WindowTime = 'end',
  ): string[] {
    const cut = 1 + ERROR_KINDS.indexOf('stream_cut');
    const out: string[] = [];
    for (let i = 0; i < this.size; i++) {
      if (this.errCol[i] === cut && this.inWindow(i, fromMs, toMs, by)) out.push(this.idCol[i] ?? '');
    }
    return out;
  }

  /** Ids recorded more than once (a retry that reused the id, a duplicated delivery), with their counts. */
  duplicateIds(): Map<string, number> {
    const seen = new Map<string, number>();
    for (const id of this.idCol) seen.set(id, (seen.get(id) ?? 0) + 1);
    const out = new Map<string, number>();
    for (const [id, count] of seen) if (count > 1) out.set(id, count);
    return out;
  }

  /** The expected ids (e.g. all the load generator sent) that have no sample: lost requests. */
  missingIds(expected: Iterable<string>): string[] {
    const have = new Set(this.idCol);
    const out: string[] = [];
    for (const id of expected) if (!have.has(id)) out.push(id);
    return out;
  }
}
