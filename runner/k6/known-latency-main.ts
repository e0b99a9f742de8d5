import { startKnownLatencyServer } from './known-latency-server.js';

/**
 * The known-latency server as a process of its own, so a bench can put it on other CPUs than the load
 * generator it checks (node dist/runner/k6/known-latency-main.js [tokenGapMs] [streamTokens]). Prints one
 * JSON ready line with its URL, and serves until SIGTERM or SIGINT.
 */
const [gap, tokens] = process.argv.slice(2).map(Number);
const server = await startKnownLatencyServer({
  ...(gap !== undefined && Number.isFinite(gap) ? { tokenGapMs: gap } : {}),
  ...(tokens !== undefined && Number.isFinite(tokens) ? { streamTokens: tokens } : {}),
});
process.stdout.write(`${JSON.stringify({ ready: 'known-latency', url: server.url, pid: process.pid })}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
