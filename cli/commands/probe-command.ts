import type { Command } from 'commander';
import { loadClusterConfig } from '../../core/config/load-cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import type { PlatformName } from '../../core/platform/platform.js';
import { availablePlatformList, parsePlatformName, platformFor } from '../../platforms/platform-registry.js';

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description(
      'quick closed-loop saturation probe (autocannon) to pick the rates of open-model runs; not SLO evidence',
    )
    .option(
      '--platform <name>',
      `bring a stack up for the probe: ${availablePlatformList}`,
      parsePlatformName,
    )
    .option('--config <file>', 'cluster config YAML for --platform')
    .option('--target <url>', 'probe a stack that is already up')
    .option('--api-key <key>', 'bearer key for --target')
    .option('--json', 'print JSON')
    .action(
      async (flags: {
        platform?: PlatformName;
        config?: string;
        target?: string;
        apiKey?: string;
        json?: boolean;
      }) => {
        if (!flags.platform && !flags.target)
          throw new UserFacingError('give --platform local or --target URL');
        if (flags.platform && flags.target)
          throw new UserFacingError('give either --platform or --target, not both');
        const log = flags.json ? undefined : (m: string) => process.stderr.write(`${m}\n`);
        const stack = flags.platform
          ? await (await platformFor(flags.platform)).up(loadClusterConfig(flags.config), log ? { log } : {})
          : undefined;
        try {
          // autocannon loads only for this command (0.2 s that every other command would pay).
          const { runProbe } = await import('../../runner/probe/run-probe.js');
          const result = await runProbe({
            target: stack?.gatewayUrl ?? flags.target ?? '',
            apiKey: stack?.apiKey ?? flags.apiKey,
            ...(log ? { log } : {}),
          });
          if (flags.json) {
            process.stdout.write(
              `${JSON.stringify({ ...result, note: 'closed-loop figures: not SLO evidence' })}\n`,
            );
            return;
          }
          const knee = result.knee;
          process.stdout.write(
            [
              knee
                ? `knee: about ${knee.throughputRps.toFixed(0)} req/s at ${knee.connections} connections (p99 ${knee.p99Ms} ms)`
                : 'knee: not found',
              ...(result.saturated
                ? []
                : ['throughput still grew at the last step: the knee lies above these figures']),
              `suggested open-model rates: ${result.suggestedRates.join(', ')} req/s (e.g. gauntlet run load --rps ${result.suggestedRates[1]})`,
              'NOTE: these are closed-loop figures (the probe waits for each answer before sending the next), so',
              'they hide queueing delay and are not SLO evidence. Judge SLOs with `gauntlet run` or `gauntlet gate`.',
              '',
            ].join('\n'),
          );
        } finally {
          await stack?.down();
        }
      },
    );
}
