import type { FaultRecord, SloVerdictRecord } from '../run-result.js';

/** Status words, no emoji: they read the same in a terminal, a PR comment and a screen reader. */
export function verdictWord(verdict: 'pass' | 'fail' | 'inconclusive' | 'not_applicable'): string {
  return verdict === 'not_applicable' ? 'N/A' : verdict.toUpperCase();
}

/** A number with thousands separators and at most `digits` decimals. */
export function num(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function ms(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return `${num(x, x < 10 ? 2 : 1)} ms`;
}

export function percent(fraction: number | null | undefined, digits = 3): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '-';
  return `${num(fraction * 100, digits)} %`;
}

/** A value in an SLO's own unit. */
export function sloValue(value: number | null, unit: SloVerdictRecord['unit']): string {
  if (value === null) return '-';
  switch (unit) {
    case 'ms':
      return ms(value);
    case 'fraction':
      return percent(value);
    case 'ratio':
      return num(value, 4);
    case 'req/s':
      return `${num(value, 2)} req/s`;
  }
}

export function sloCi(slo: SloVerdictRecord): string {
  if (!slo.ci) return '-';
  return `${sloValue(slo.ci[0], slo.unit)} .. ${sloValue(slo.ci[1], slo.unit)}`;
}

/** "p99 e2e (infer) < 300 ms [scenario load, 40-60 s]" */
export function sloObjective(slo: SloVerdictRecord): string {
  const what = [slo.stat, slo.metric].filter(Boolean).join(' ');
  const where = slo.endpoint ? ` (${slo.endpoint})` : '';
  const scope: string[] = [];
  if (slo.scope?.scenario) scope.push(`scenario ${slo.scope.scenario}`);
  if (slo.scope?.phase) scope.push(`phase ${slo.scope.phase}`);
  if (slo.scope?.window) scope.push(`${slo.scope.window.fromS}-${slo.scope.window.toS} s`);
  const threshold = sloValue(slo.threshold, slo.unit);
  return `${what}${where} ${slo.op} ${threshold}${scope.length > 0 ? ` [${scope.join(', ')}]` : ''}`;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** XML text and attribute values; characters XML 1.0 cannot carry are dropped. */
export function escapeXml(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the control characters XML 1.0 forbids
  return escapeHtml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
}

/** A Markdown table cell: pipes escaped, line breaks flattened. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Time to detect with the probe's resolution ("0.31 s (probe 100 ms)"), or why there is none. */
export function detectionText(f: FaultRecord): string {
  if (f.detectedAfterMs === null) return f.detection?.status.replace('_', ' ') ?? '-';
  const res = f.detection?.resolutionMs;
  return `${ms(f.detectedAfterMs)}${res ? ` (probe ${res} ms)` : ''}`;
}

/**
 * Time to recover as the windows could show it: "held" when the SLOs were never left, else the first
 * passing window's start with the windows' spacing ("4 s, resolution 1 s"); never a bare "0.0 s".
 */
export function recoveryText(f: FaultRecord): string {
  const r = f.recovery;
  if (!r) return f.recoveredAfterMs === null ? 'did not recover' : ms(f.recoveredAfterMs);
  if (r.status === 'held') return 'held (SLOs never left)';
  if (r.status === 'recovered' && f.recoveredAfterMs !== null)
    return `${ms(f.recoveredAfterMs)} (resolution ${ms(r.resolutionMs)})`;
  return r.status === 'not_recovered' ? 'did not recover' : 'undecided (windows inconclusive)';
}
