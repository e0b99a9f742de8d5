import { expect, it } from 'vitest';
import { parsePrometheusText, sumOf } from './prometheus-text.js';

it('parses samples with labels and sums them', () => {
  const text = [
    '# HELP gauntlet_batcher_queue_depth Requests waiting',
    '# TYPE gauntlet_batcher_queue_depth gauge',
    'gauntlet_batcher_queue_depth 7',
    'gauntlet_batcher_batch_size_sum 120',
    'gauntlet_batcher_batch_size_count 10',
    'gauntlet_gateway_requests_total{route="/infer",code="200"} 5',
    'gauntlet_gateway_requests_total{route="/infer",code="429"} 2',
    'weird{label="a \\"quoted\\" value"} 1.5e3',
  ].join('\n');
  const samples = parsePrometheusText(text);
  expect(sumOf(samples, 'gauntlet_batcher_queue_depth')).toBe(7);
  expect(sumOf(samples, 'gauntlet_gateway_requests_total')).toBe(7);
  expect(sumOf(samples, 'gauntlet_gateway_requests_total', { code: '429' })).toBe(2);
  expect(samples.find((s) => s.name === 'weird')).toEqual({
    name: 'weird',
    labels: { label: 'a "quoted" value' },
    value: 1500,
  });
  expect(sumOf(samples, 'absent')).toBeUndefined();
});
