#!/usr/bin/env node
// Writes small sample traces in the two public formats the replay reads, generated here from a seed (no
// download): azure-code-sample.csv (Azure LLM inference trace: TIMESTAMP,ContextTokens,GeneratedTokens) and
// mooncake-sample.jsonl (Mooncake-style JSON Lines). Needs the build (npm run build).
//
//   node tools/traces/make-sample-traces.mjs [OUT_DIR] [--requests N] [--rate R] [--seed S]
//   node bin/gauntlet.js run replay --platform local --trace OUT_DIR/azure-code-sample.csv --out out/replay
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: 'string' }, rate: { type: 'string' }, seed: { type: 'string' } },
});
const number = (name, text, fallback) => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`--${name}: must be a number > 0, got '${text}'\n`);
    process.exit(3);
  }
  return n;
};

let traces;
try {
  traces = await import('../../dist/runner/replay/sample-traces.js');
} catch {
  process.stderr.write('dist/ is missing: run npm run build first\n');
  process.exit(3);
}
const outDir = positionals[0] ?? 'out/traces';
const rows = traces.sampleTraceRows({
  requests: Math.round(number('requests', values.requests, traces.defaultSampleTrace.requests)),
  ratePerS: number('rate', values.rate, traces.defaultSampleTrace.ratePerS),
  seed: Math.round(number('seed', values.seed, traces.defaultSampleTrace.seed)),
});
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'azure-code-sample.csv'), traces.toAzureCsv(rows));
writeFileSync(join(outDir, 'mooncake-sample.jsonl'), traces.toMooncakeJsonl(rows));
process.stdout.write(
  `wrote ${rows.length} requests to ${join(outDir, 'azure-code-sample.csv')} and ${join(outDir, 'mooncake-sample.jsonl')}\n`,
);
