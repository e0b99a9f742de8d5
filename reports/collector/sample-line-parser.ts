import { ENDPOINTS, ERROR_KINDS } from '../model/kinds.js';
import type { ParsedSample } from './parsed-sample.js';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_N = 110;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const Field = {
  Other: 0,
  Id: 1,
  Scenario: 2,
  Phase: 3,
  Endpoint: 4,
  T0: 5,
  Status: 6,
  Ok: 7,
  In: 8,
  E2e: 9,
  Out: 10,
  Itl: 11,
  Error: 12,
  Ttft: 13,
} as const;

/** The sample key from its bytes: compared in full, so an unknown key like "ttfb" is never taken for one. */
function fieldOf(b: Buffer, k: number, len: number): number {
  const c0 = b[k] ?? 0;
  const c1 = b[k + 1] ?? 0;
  if (len === 2) {
    if (c0 === 105) return c1 === 100 ? Field.Id : c1 === 110 ? Field.In : Field.Other; // id, in
    if (c0 === 115) return c1 === 99 ? Field.Scenario : c1 === 116 ? Field.Status : Field.Other; // sc, st
    if (c0 === 112 && c1 === 104) return Field.Phase; // ph
    if (c0 === 101 && c1 === 112) return Field.Endpoint; // ep
    if (c0 === 116 && c1 === 48) return Field.T0; // t0
    if (c0 === 111 && c1 === 107) return Field.Ok; // ok
    return Field.Other;
  }
  if (len === 3) {
    const c2 = b[k + 2];
    if (c0 === 101 && c1 === 50 && c2 === 101) return Field.E2e; // e2e
    if (c0 === 101 && c1 === 114 && c2 === 114) return Field.Error; // err
    if (c0 === 111 && c1 === 117 && c2 === 116) return Field.Out; // out
    if (c0 === 105 && c1 === 116 && c2 === 108) return Field.Itl; // itl
    return Field.Other;
  }
  if (len === 4 && c0 === 116 && c1 === 116 && b[k + 2] === 102 && b[k + 3] === 116) return Field.Ttft; // ttft
  return Field.Other;
}

/** Interned spellings of the closed vocabularies, compared byte-wise so that no string is made for them. */
const ENDPOINT_BYTES = ENDPOINTS.map((e) => Buffer.from(e));
const ERROR_BYTES = ERROR_KINDS.map((e) => Buffer.from(e));

/**
 * A parser for the flat sample lines the k6 scenarios write, straight from the bytes: JSON.parse per line
 * makes an object and an array of doubles per sample, and the strings it returns would have to be
 * re-read anyway. It knows the sample's keys, reuses the last scenario and phase strings when the bytes
 * match, and skips unknown keys. Anything unusual (escapes in strings, a non-number in the ITL array,
 * `true` where a number is expected) makes it return false, and the caller falls back to JSON.parse; a
 * test checks that both paths agree.
 */
export class SampleLineParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  private strStart = 0;
  private strEnd = 0;
  private lastScenario = '';
  private lastPhase = '';

  parse(buf: Buffer, start: number, end: number, out: ParsedSample): boolean {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    out.reset();
    this.skipWs();
    if (buf[this.pos] !== LBRACE) return false;
    this.pos++;
    this.skipWs();
    if (buf[this.pos] === RBRACE) {
      this.pos++;
      return this.finish();
    }
    // Bounded: every pass consumes at least one key-value pair or returns.
    for (;;) {
      if (buf[this.pos] !== QUOTE || !this.stringBounds()) return false;
      const keyStart = this.strStart;
      const keyLen = this.strEnd - keyStart;
      this.skipWs();
      if (buf[this.pos] !== COLON) return false;
      this.pos++;
      this.skipWs();
      if (!this.value(keyStart, keyLen, out)) return false;
      this.skipWs();
      const c = buf[this.pos];
      this.pos++;
      if (c === RBRACE) return this.finish();
      if (c !== COMMA) return false;
      this.skipWs();
    }
  }

  private finish(): boolean {
    this.skipWs();
    return this.pos >= this.end;
  }

  private value(k: number, len: number, out: ParsedSample): boolean {
    const b = this.buf;
    // null means absent, for any key.
    if (b[this.pos] === LOWER_N) return this.literalNull();
    switch (fieldOf(b, k, len)) {
      case Field.Id:
        return this.idString(out);
      case Field.Scenario:
        return this.scenarioString(out);
      case Field.Phase:
        return this.phaseString(out);
      case Field.Endpoint:
        return this.endpoint(out);
      case Field.Error:
        return this.errorKind(out);
      case Field.Itl:
        return this.itl(out);
      case Field.T0: {
        const v = this.number();
        out.t0 = v;
        return !Number.isNaN(v);
      }
      case Field.Status: {
        const v = this.number();
        out.status = v;
        return !Number.isNaN(v);
      }
      case Field.Ok: {
        const v = this.number();
        out.ok = v;
        return !Number.isNaN(v);
      }
      case Field.E2e: {
        const v = this.number();
        out.e2e = v;
        return !Number.isNaN(v);
      }
      case Field.Ttft: {
        const v = this.number();
        out.ttft = v;
        return !Number.isNaN(v);
      }
      case Field.Out: {
        const v = this.number();
        out.out = v;
        return !Number.isNaN(v);
      }
      case Field.In: {
        const v = this.number();
        out.inTokens = v;
        return !Number.isNaN(v);
      }
      default:
        // q, w, b, a and unknown keys: not needed for the aggregates.
        return this.skipValue();
    }
  }

  private skipWs(): void {
    const b = this.buf;
    let p = this.pos;
    while (p < this.end) {
      const c = b[p];
      if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
      p++;
    }
    this.pos = p;
  }

  private literalNull(): boolean {
    const b = this.buf;
    const p = this.pos;
    if (b[p + 1] === 117 && b[p + 2] === 108 && b[p + 3] === 108) {
      this.pos = p + 4;
      return true;
    }
    return false;
  }

  /** At a quote: sets strStart/strEnd to the content; false on an escape (left to JSON.parse). */
  private stringBounds(): boolean {
    const b = this.buf;
    let p = this.pos + 1;
    while (p < this.end) {
      const c = b[p];
      if (c === QUOTE) {
        this.strStart = this.pos + 1;
        this.strEnd = p;
        this.pos = p + 1;
        return true;
      }
      if (c === BACKSLASH) return false;
      p++;
    }
    return false;
  }

  private text(): string {
    return this.buf.toString('utf8', this.strStart, this.strEnd);
  }

  private sameAs(s: string): boolean {
    const len = this.strEnd - this.strStart;
    if (len !== s.length) return false;
    const b = this.buf;
    for (let i = 0; i < len; i++) if (b[this.strStart + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  private matchIndex(options: readonly Uint8Array[]): number {
    const len = this.strEnd - this.strStart;
    const b = this.buf;
    for (let o = 0; o < options.length; o++) {
      const word = options[o];
      if (!word || word.length !== len) continue;
      let i = 0;
      while (i < len && b[this.strStart + i] === word[i]) i++;
      if (i === len) return o;
    }
    return -1;
  }

  private idString(out: ParsedSample): boolean {
    if (this.buf[this.pos] !== QUOTE || !this.stringBounds()) return false;
    out.id = this.text();
    return true;
  }

  private scenarioString(out: ParsedSample): boolean {
    if (this.buf[this.pos] !== QUOTE || !this.stringBounds()) return false;
    if (!this.sameAs(this.lastScenario)) this.lastScenario = this.text();
    out.scenario = this.lastScenario;
    return true;
  }

  private phaseString(out: ParsedSample): boolean {
    if (this.buf[this.pos] !== QUOTE || !this.stringBounds()) return false;
    if (!this.sameAs(this.lastPhase)) this.lastPhase = this.text();
    out.phase = this.lastPhase;
    return true;
  }

  private endpoint(out: ParsedSample): boolean {
    if (this.buf[this.pos] !== QUOTE || !this.stringBounds()) return false;
    out.endpoint = this.matchIndex(ENDPOINT_BYTES);
    return true;
  }

  private errorKind(out: ParsedSample): boolean {
    if (this.buf[this.pos] !== QUOTE) return false;
    if (!this.stringBounds()) return false;
    const kind = this.matchIndex(ERROR_BYTES);
    // An unrecognised kind counts as `unknown`, like the JSON.parse path.
    out.errorKind = kind < 0 ? ERROR_KINDS.length - 1 : kind;
    return true;
  }

  /**
   * A JSON number. Up to 15 significant digits without an exponent it is m / 10^k, which is correctly
   * rounded (both exact doubles, one division), so it equals what JSON.parse returns; anything else goes
   * through Number(). NaN when there is no number here.
   */
  private number(): number {
    const b = this.buf;
    let p = this.pos;
    const start = p;
    let negative = false;
    if (b[p] === MINUS) {
      negative = true;
      p++;
    }
    let m = 0;
    let digits = 0;
    let k = 0;
    let c = b[p] ?? 0;
    while (c >= ZERO && c <= NINE) {
      m = m * 10 + (c - ZERO);
      digits++;
      c = b[++p] ?? 0;
    }
    if (digits === 0) return Number.NaN;
    if (c === DOT) {
      c = b[++p] ?? 0;
      while (c >= ZERO && c <= NINE) {
        m = m * 10 + (c - ZERO);
        digits++;
        k++;
        c = b[++p] ?? 0;
      }
      if (k === 0) return Number.NaN;
    }
    if (c === 101 || c === 69 || digits > 15) {
      // Exponent or long mantissa: let the engine do it.
      while (p < this.end) {
        c = b[p] ?? 0;
        if (!((c >= ZERO && c <= NINE) || c === 101 || c === 69 || c === 43 || c === MINUS || c === DOT))
          break;
        p++;
      }
      this.pos = p;
      return Number(this.buf.toString('latin1', start, p));
    }
    this.pos = p;
    const v = k === 0 ? m : m / (POW10[k] ?? 1);
    return negative ? -v : v;
  }

  private itl(out: ParsedSample): boolean {
    const b = this.buf;
    if (b[this.pos] !== LBRACKET) return false;
    this.pos++;
    out.itlCount = 0; // a repeated key: the last one wins, as with JSON.parse
    this.skipWs();
    if (b[this.pos] === RBRACKET) {
      this.pos++;
      return true;
    }
    // Bounded by the line: every pass consumes a number or returns.
    for (;;) {
      const v = this.number();
      if (Number.isNaN(v)) return false;
      out.pushItl(v);
      this.skipWs();
      const c = b[this.pos];
      this.pos++;
      if (c === RBRACKET) return true;
      if (c !== COMMA) return false;
      this.skipWs();
    }
  }

  /** Skips any JSON value (unknown keys, header fields the aggregates do not use). */
  private skipValue(): boolean {
    const b = this.buf;
    const c = b[this.pos];
    if (c === QUOTE) return this.stringBounds();
    if (c === LBRACE || c === LBRACKET) {
      let depth = 0;
      while (this.pos < this.end) {
        const d = b[this.pos];
        if (d === QUOTE) {
          if (!this.stringBounds()) return false;
          continue;
        }
        if (d === LBRACE || d === LBRACKET) depth++;
        else if (d === RBRACE || d === RBRACKET) {
          depth--;
          if (depth === 0) {
            this.pos++;
            return true;
          }
        }
        this.pos++;
      }
      return false;
    }
    if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) return !Number.isNaN(this.number());
    // true / false: not expected in a sample; JSON.parse decides.
    return false;
  }
}
