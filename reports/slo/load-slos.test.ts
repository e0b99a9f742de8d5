import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config/config-error.js';
import { defaultSloFile, loadDefaultSlos, loadSloFile, parseSloText } from './load-slos.js';

function errorOf(text: string): string {
  try {
    parseSloText(text, 'slos.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('SLO files', () => {
  it('ships the seed defaults', () => {
    expect(loadDefaultSlos()).toEqual([
      expect.objectContaining({
        id: 'infer-p99-e2e',
        metric: 'e2e',
        endpoint: 'infer',
        stat: 'p99',
        op: '<',
        threshold: 300,
      }),
      expect.objectContaining({
        id: 'chat-stream-p99-ttft',
        metric: 'ttft',
        endpoint: 'chat_stream',
        threshold: 300,
      }),
      // 1 %, which a default run can decide (reports/slo/default-slos.yaml says why).
      expect.objectContaining({ id: 'error-rate', metric: 'error_rate', op: '<', threshold: 0.01 }),
      expect.objectContaining({ id: 'achieved-rate', metric: 'achieved_rate', op: '>=', threshold: 0.99 }),
    ]);
    expect(defaultSloFile()).toMatch(/reports\/slo\/default-slos\.yaml$/);
  });

  it('names file, line and field of a mistake', () => {
    const text = [
      'slos:',
      '  - id: a',
      '    metric: e2e',
      "    op: '<'",
      '    threshold: 300',
      '    stat: p98',
      '',
    ].join('\n');
    expect(errorOf(text)).toMatch(
      /^slos\.yaml:6:\d+: slos\[0\]\.stat: must be one of "p50", .*"mean" \(got "p98"\)$/,
    );
  });

  it('rejects unknown fields, misplaced stats, out-of-range thresholds and duplicate ids', () => {
    expect(errorOf("slos:\n  - {id: a, metric: e2e, op: '<', threshold: 3, treshold: 4}\n")).toMatch(
      /slos\.yaml:2:\d+: slos\[0\]\.treshold: unknown field "treshold"; allowed: id, description, metric/,
    );
    expect(errorOf("slos:\n  - {id: a, metric: error_rate, stat: p99, op: '<', threshold: 0.1}\n")).toMatch(
      /slos\[0\]\.stat: only latency metrics/,
    );
    expect(errorOf("slos:\n  - {id: a, metric: error_rate, op: '<', threshold: 5}\n")).toMatch(
      /slos\[0\]\.threshold: error_rate is a fraction/,
    );
    expect(errorOf("slos:\n  - {id: a, metric: ttft, endpoint: infer, op: '<', threshold: 5}\n")).toMatch(
      /slos\[0\]\.endpoint: ttft is measured on streamed responses only/,
    );
    expect(
      errorOf(
        "slos:\n  - {id: a, metric: e2e, op: '<', threshold: 5}\n  - {id: a, metric: e2e, op: '<', threshold: 6}\n",
      ),
    ).toMatch(/slos\.yaml:3:\d+: slos\[1\]\.id: duplicate SLO id "a"/);
    expect(
      errorOf(
        "slos:\n  - {id: a, metric: e2e, op: '<', threshold: 5, scope: {window: {fromS: 10, toS: 5}}}\n",
      ),
    ).toMatch(/slos\[0\]\.scope\.window\.toS: must be greater than fromS/);
  });

  it('says so when the file is missing', () => {
    expect(() => loadSloFile('/nonexistent/slos.yaml')).toThrow('/nonexistent/slos.yaml: file not found');
  });
});
