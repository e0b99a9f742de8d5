import type { CollectorSnapshot } from '../../reports/collector/sample-collector.js';

/**
 * Live progress on stderr: phase, elapsed / total, current rate, rolling p99 and errors. On a terminal one
 * line rewrites itself; in CI logs a line every 5 s.
 */
export class ProgressDisplay {
  private lastPrintMs = 0;
  private readonly tty = process.stderr.isTTY === true;

  constructor(readonly enabled: boolean) {}

  update(label: string, elapsedS: number, totalS: number, snapshot: CollectorSnapshot): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!this.tty && now - this.lastPrintMs < 5_000) return;
    this.lastPrintMs = now;
    const p99 = snapshot.p99E2eMs === null ? '-' : `${snapshot.p99E2eMs.toFixed(0)} ms`;
    const line = `${label}  ${elapsedS.toFixed(0)}/${totalS.toFixed(0)} s  ${snapshot.ratePerS.toFixed(1)} req/s  p99 ${p99}  errors ${snapshot.errors}  samples ${snapshot.samples}`;
    process.stderr.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }

  done(): void {
    if (this.enabled && this.tty) process.stderr.write('\n');
  }
}
