import { ENDPOINTS, type Endpoint, ERROR_KINDS, type ReportErrorKind } from '../model/kinds.js';
import { addCluster, type ClusterSums, emptyClusterSums } from '../stats/cluster-sums.js';
import { createLatencyHistogram, type LatencyHistogram, MICROS_PER_MS } from '../stats/latency-histogram.js';
import { histogramsOf, type LatencyRecorders, latencyRecorders } from '../stats/latency-recorder.js';
import { type AggregateStats, addAggregate, emptyAggregate } from './aggregate-stats.js';
import { buildTimeline, type TimelineSecond } from './build-timeline.js';
import { ParsedSample } from './parsed-sample.js';
import { RequestTable } from './request-table.js';
import { SampleLineParser } from './sample-line-parser.js';

export interface SampleCollectorOptions {
  /** Unix ms that timeline second 0 and SLO windows count from; default: the earliest t0 seen. */
  timeOriginMs?: number;
  /** Seconds of completions the live snapshot's rate and p99 cover (default 5; the newest is partial). */
  liveWindowS?: number;
  /** A line longer than this is dropped as invalid (bounds memory on a file with no newlines). */
  maxLineBytes?: number;
}

const DEFAULTS = { liveWindowS: 5, maxLineBytes: 16 * 1024 * 1024 };

/** Live progress, cheap enough to take every second while a run goes. */
export interface CollectorSnapshot {
  samples: number;
  /** Sample time: from the earliest t0 to the latest end seen. */
  elapsedS: number;
  /** Wall time since the collector was made. */
  wallElapsedS: number;
  /** Completions per second over the last full seconds of the live window. */
  ratePerS: number;
  /** p99 e2e of the successful requests that completed in the live window; null when none. */
  p99E2eMs: number | null;
  errors: number;
  errorsByKind: Record<ReportErrorKind, number>;
  invalidLines: number;
}

export interface CollectorResult {
  samples: number;
  invalidLines: number;
  /** The first few invalid lines: line number and why. */
  invalidExamples: string[];
  timeOriginMs: number;
  /** Earliest t0, latest t0 + e2e (Unix ms); NaN without samples. */
  firstStartMs: number;
  lastEndMs: number;
  /** lastEndMs - timeOriginMs, in seconds (0 without samples). */
  durationS: number;
  /** The finest slices: one per scenario x phase x endpoint seen. */
  groups: AggregateStats[];
  /** Merged over scenarios and phases, one per endpoint seen. */
  byEndpoint: AggregateStats[];
  /** Merged over endpoints, one per scenario x phase seen. */
  byScenarioPhase: AggregateStats[];
  overall: AggregateStats;
  timeline: TimelineSecond[];
  table: RequestTable;
}

/** The running totals of one scenario x phase x endpoint. */
interface Accumulator {
  endpoint: Endpoint;
  count: number;
  ok: number;
  errors: Float64Array;
  outputTokens: number;
  inputTokens: number;
  firstStartMs: number;
  lastStartMs: number;
  lastEndMs: number;
  recorders: LatencyRecorders;
  itlStreams: ClusterSums;
}

interface GroupSlot {
  index: number;
  scenario: string;
  phase: string;
  byEndpoint: Array<Accumulator | undefined>;
}

interface LiveSlot {
  second: number;
  completed: number;
  e2e: LatencyHistogram;
}

const MAX_INVALID_EXAMPLES = 5;
const NEWLINE = 10;

/**
 * Reads the NDJSON samples the k6 scenarios write (reports/model/request-sample.ts) and keeps the run's
 * aggregates: HDR histograms per scenario x phase x endpoint, error counts by kind, a compact per-request
 * table, and a small ring of the last seconds for live progress. Lines are parsed from the bytes into one
 * reused object (SampleLineParser; JSON.parse only for unusual lines), so per sample it allocates only the
 * id string; everything it keeps is typed arrays and histograms.
 */
export class SampleCollector {
  private readonly options: typeof DEFAULTS & SampleCollectorOptions;
  private readonly table = new RequestTable(1 << 14);
  private readonly groupsByScenario = new Map<string, Map<string, GroupSlot>>();
  private readonly groupSlots: GroupSlot[] = [];
  private lastSlot: GroupSlot | undefined;
  private readonly errorCounts = new Float64Array(ERROR_KINDS.length);
  private readonly live: LiveSlot[];
  private liveHead = Number.NEGATIVE_INFINITY;
  private readonly createdAt = performance.now();
  private pending: Buffer | undefined;
  private readonly parser = new SampleLineParser();
  private readonly parsed = new ParsedSample();
  private lineNumber = 0;
  private samples = 0;
  private invalid = 0;
  private readonly invalidExamples: string[] = [];
  private minT0 = Number.POSITIVE_INFINITY;
  private minEnd = Number.POSITIVE_INFINITY;
  private maxEnd = Number.NEGATIVE_INFINITY;

  constructor(options: SampleCollectorOptions = {}) {
    this.options = { ...DEFAULTS, ...options };
    if (!Number.isInteger(this.options.liveWindowS) || this.options.liveWindowS < 2) {
      throw new RangeError(`liveWindowS must be an integer >= 2 (got ${this.options.liveWindowS})`);
    }
    if (options.timeOriginMs !== undefined && !Number.isFinite(options.timeOriginMs)) {
      throw new RangeError(`timeOriginMs must be a finite Unix ms time (got ${options.timeOriginMs})`);
    }
    this.live = Array.from({ length: this.options.liveWindowS }, () => ({
      second: Number.NEGATIVE_INFINITY,
      completed: 0,
      e2e: createLatencyHistogram(),
    }));
  }

  /** Bytes of NDJSON; a line split across chunks is kept until its newline arrives. */
  ingestChunk(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    if (this.pending) {
      const newline = buf.indexOf(NEWLINE);
      if (newline < 0) {
        this.keepPending(Buffer.concat([this.pending, buf]));
        return;
      }
      const line = Buffer.concat([this.pending, buf.subarray(0, newline)]);
      this.pending = undefined;
      this.ingestBytes(line, 0, line.length);
      pos = newline + 1;
    }
    // Bounded by the chunk: every pass moves pos past a newline or stops.
    while (pos < buf.length) {
      const newline = buf.indexOf(NEWLINE, pos);
      if (newline < 0) {
        this.keepPending(buf.subarray(pos));
        return;
      }
      this.ingestBytes(buf, pos, newline);
      pos = newline + 1;
    }
  }

  /** Ingests the last line of a file that does not end in a newline. */
  flush(): void {
    const rest = this.pending;
    this.pending = undefined;
    if (rest && rest.length > 0) this.ingestBytes(rest, 0, rest.length);
  }

  private keepPending(bytes: Buffer): void {
    if (bytes.length > this.options.maxLineBytes) {
      this.lineNumber++;
      this.reject(`line longer than ${this.options.maxLineBytes} bytes`);
      return;
    }
    // Copy: the caller may reuse its read buffer.
    this.pending = Buffer.from(bytes);
  }

  /** One NDJSON line (one RequestSample). Invalid lines are counted and a few kept as examples. */
  ingestLine(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    this.ingestBytes(bytes, 0, bytes.length);
  }

  private ingestBytes(buf: Buffer, start: number, end: number): void {
    this.lineNumber++;
    const s = this.parsed;
    if (!this.parser.parse(buf, start, end, s)) {
      // The slow path: escapes, unusual layout, or not a sample at all.
      let value: unknown;
      try {
        value = JSON.parse(buf.toString('utf8', start, end));
      } catch {
        if (buf.toString('utf8', start, end).trim() !== '') this.reject('not JSON');
        return;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        this.reject('not a JSON object');
        return;
      }
      s.fillFrom(value);
    }
    this.accept(s);
  }

  private accept(s: ParsedSample): void {
    const { id, scenario, phase, endpoint: ep, t0, e2e, ok } = s;
    const problem = invalidReason(s);
    if (problem !== undefined || id === undefined || scenario === undefined || phase === undefined) {
      this.reject(problem ?? 'id, sc and ph must be strings');
      return;
    }
    const status = s.status >= 0 && s.status < 65536 ? s.status : 0;
    const out = s.out >= 0 && s.out < 4294967296 ? s.out : 0;
    const ttft = s.ttft >= 0 ? s.ttft : Number.NaN;

    const acc = this.accumulatorFor(scenario, phase, ep);
    this.samples++;
    acc.count++;
    acc.outputTokens += out;
    if (s.inTokens >= 0) acc.inputTokens += s.inTokens;
    if (!(acc.firstStartMs <= t0)) acc.firstStartMs = t0;
    if (!(acc.lastStartMs >= t0)) acc.lastStartMs = t0;
    const end = t0 + e2e;
    if (!(acc.lastEndMs >= end)) acc.lastEndMs = end;
    if (t0 < this.minT0) this.minT0 = t0;
    if (end > this.maxEnd) this.maxEnd = end;
    if (end < this.minEnd) this.minEnd = end;

    let errorIndex = 0;
    if (ok === 1) {
      acc.ok++;
      const rec = acc.recorders;
      rec.e2e.recordMs(e2e);
      if (!Number.isNaN(ttft)) {
        rec.ttft.recordMs(ttft);
        // TPOT per the field's definition, only for outputs longer than one token (it is undefined for one).
        if (out > 1) rec.tpot.recordMs((e2e - ttft) / (out - 1));
      }
      const itl = s.itl;
      const itlRecorder = rec.itl;
      let gapSum = 0;
      let gapSquares = 0;
      for (let k = 0; k < s.itlCount; k++) {
        const gap = itl[k] ?? Number.NaN;
        itlRecorder.recordMs(gap);
        gapSum += gap;
        gapSquares += gap * gap;
      }
      addCluster(acc.itlStreams, s.itlCount, gapSum, gapSquares);
    } else {
      // A failed sample without a (known) kind counts as `unknown`.
      const kind = s.errorKind < 0 ? ERROR_KINDS.length - 1 : s.errorKind;
      errorIndex = kind + 1;
      acc.errors[kind] = (acc.errors[kind] ?? 0) + 1;
      this.errorCounts[kind] = (this.errorCounts[kind] ?? 0) + 1;
    }
    this.recordLive(end, ok === 1 ? e2e : -1);
    this.table.append(id, t0, e2e, ttft, ok === 1, errorIndex, ep, this.lastSlot?.index ?? 0, status, out);
  }

  private reject(reason: string): void {
    this.invalid++;
    if (this.invalidExamples.length < MAX_INVALID_EXAMPLES) {
      this.invalidExamples.push(`line ${this.lineNumber}: ${reason}`);
    }
  }

  private accumulatorFor(scenario: string, phase: string, ep: number): Accumulator {
    let slot = this.lastSlot;
    if (slot === undefined || slot.scenario !== scenario || slot.phase !== phase) {
      let phases = this.groupsByScenario.get(scenario);
      if (!phases) {
        phases = new Map();
        this.groupsByScenario.set(scenario, phases);
      }
      slot = phases.get(phase);
      if (!slot) {
        slot = { index: this.table.addGroup(scenario, phase), scenario, phase, byEndpoint: [] };
        phases.set(phase, slot);
        this.groupSlots.push(slot);
      }
      this.lastSlot = slot;
    }
    let acc = slot.byEndpoint[ep];
    if (!acc) {
      acc = {
        endpoint: ENDPOINTS[ep] ?? 'infer',
        count: 0,
        ok: 0,
        errors: new Float64Array(ERROR_KINDS.length),
        outputTokens: 0,
        inputTokens: 0,
        firstStartMs: Number.NaN,
        lastStartMs: Number.NaN,
        lastEndMs: Number.NaN,
        recorders: latencyRecorders(),
        itlStreams: emptyClusterSums(),
      };
      slot.byEndpoint[ep] = acc;
    }
    return acc;
  }

  /** Ring of the last seconds by completion time; a sample older than the ring is left out of it. */
  private recordLive(endMs: number, e2eMs: number): void {
    const second = Math.floor(endMs / 1000);
    const size = this.live.length;
    if (second > this.liveHead) {
      const from = Math.max(this.liveHead + 1, second - size + 1);
      for (let s = from; s <= second; s++) {
        const slot = this.live[((s % size) + size) % size];
        if (!slot) continue;
        slot.second = s;
        slot.completed = 0;
        if (slot.e2e.totalCount > 0) slot.e2e.reset();
      }
      this.liveHead = second;
    } else if (second <= this.liveHead - size) return;
    const slot = this.live[((second % size) + size) % size];
    if (!slot || slot.second !== second) return;
    slot.completed++;
    if (e2eMs >= 0) slot.e2e.recordValue(Math.round(e2eMs * MICROS_PER_MS));
  }

  snapshot(): CollectorSnapshot {
    const errorsByKind = Object.fromEntries(
      ERROR_KINDS.map((kind, i) => [kind, this.errorCounts[i] ?? 0]),
    ) as Record<ReportErrorKind, number>;
    let errors = 0;
    for (const c of this.errorCounts) errors += c;
    // Rate over the full seconds before the newest (still filling) one; the newest alone at the start.
    let full = 0;
    let fullSeconds = 0;
    const merged = createLatencyHistogram();
    for (const slot of this.live) {
      if (slot.second <= this.liveHead - this.live.length) continue;
      if (slot.e2e.totalCount > 0) merged.add(slot.e2e);
      if (slot.second < this.liveHead && slot.second >= this.minSecondSeen()) {
        full += slot.completed;
        fullSeconds++;
      }
    }
    const head = this.live.find((slot) => slot.second === this.liveHead);
    const ratePerS = fullSeconds > 0 ? full / fullSeconds : (head?.completed ?? 0);
    return {
      samples: this.samples,
      elapsedS: this.samples > 0 ? (this.maxEnd - this.minT0) / 1000 : 0,
      wallElapsedS: (performance.now() - this.createdAt) / 1000,
      ratePerS,
      p99E2eMs: merged.totalCount > 0 ? merged.getValueAtPercentile(99) / MICROS_PER_MS : null,
      errors,
      errorsByKind,
      invalidLines: this.invalid,
    };
  }

  /** The first second with a completion: seconds before it are not "full" seconds of the run. */
  private minSecondSeen(): number {
    return Number.isFinite(this.minEnd) ? Math.floor(this.minEnd / 1000) : Number.POSITIVE_INFINITY;
  }

  /**
   * The aggregates so far (a pending partial line is ingested first). The finest slices are the live
   * objects: call result() once at the end, or treat what it returns as read-only.
   */
  result(): CollectorResult {
    this.flush();
    const groups: AggregateStats[] = [];
    const byScenarioPhase: AggregateStats[] = [];
    const byEndpoint = new Map<number, AggregateStats>();
    const overall = emptyAggregate(null, null, null);
    for (const slot of this.groupSlots) {
      const merged = emptyAggregate(slot.scenario, slot.phase, null);
      slot.byEndpoint.forEach((acc, ep) => {
        if (!acc) return;
        const agg = toAggregate(slot, acc);
        groups.push(agg);
        addAggregate(merged, agg);
        let perEp = byEndpoint.get(ep);
        if (!perEp) {
          perEp = emptyAggregate(null, null, ENDPOINTS[ep] ?? 'infer');
          byEndpoint.set(ep, perEp);
        }
        addAggregate(perEp, agg);
      });
      byScenarioPhase.push(merged);
      addAggregate(overall, merged);
    }
    const hasSamples = this.samples > 0;
    const timeOriginMs = this.options.timeOriginMs ?? (hasSamples ? this.minT0 : 0);
    return {
      samples: this.samples,
      invalidLines: this.invalid,
      invalidExamples: [...this.invalidExamples],
      timeOriginMs,
      firstStartMs: hasSamples ? this.minT0 : Number.NaN,
      lastEndMs: hasSamples ? this.maxEnd : Number.NaN,
      durationS: hasSamples ? Math.max(0, (this.maxEnd - timeOriginMs) / 1000) : 0,
      groups,
      byEndpoint: [...byEndpoint.entries()].sort((a, b) => a[0] - b[0]).map(([, agg]) => agg),
      byScenarioPhase,
      overall,
      timeline: buildTimeline(this.table, timeOriginMs),
      table: this.table,
    };
  }
}

function toAggregate(slot: GroupSlot, acc: Accumulator): AggregateStats {
  const errors = Object.fromEntries(ERROR_KINDS.map((kind, i) => [kind, acc.errors[i] ?? 0])) as Record<
    ReportErrorKind,
    number
  >;
  return {
    scenario: slot.scenario,
    phase: slot.phase,
    endpoint: acc.endpoint,
    count: acc.count,
    ok: acc.ok,
    errors,
    outputTokens: acc.outputTokens,
    inputTokens: acc.inputTokens,
    firstStartMs: acc.firstStartMs,
    lastStartMs: acc.lastStartMs,
    lastEndMs: acc.lastEndMs,
    histograms: histogramsOf(acc.recorders),
    itlStreams: { ...acc.itlStreams },
  };
}

/** Why a parsed line is not a usable sample, or undefined. */
function invalidReason(s: ParsedSample): string | undefined {
  if (s.endpoint < 0) return `ep must be one of ${ENDPOINTS.join(', ')}`;
  if (s.id === undefined || s.scenario === undefined || s.phase === undefined)
    return 'id, sc and ph must be strings';
  if (!Number.isFinite(s.t0)) return 't0 must be a finite number';
  if (!(s.e2e >= 0 && s.e2e < 1e9)) return 'e2e must be a number >= 0';
  if (s.ok !== 0 && s.ok !== 1) return 'ok must be 0 or 1';
  return undefined;
}
