import type { Command } from 'commander';
import { loadClusterConfig } from '../../core/config/load-cluster-config.js';
import { exitCodes } from '../../core/exit-codes.js';
import { describeInstance } from '../../core/platform/component.js';
import type { PlatformName, StackDescription } from '../../core/platform/platform.js';
import { listenForInterrupt } from '../../core/process/interrupt.js';
import { availablePlatformList, parsePlatformName, platformFor } from '../../platforms/platform-registry.js';
import { type ClusterFlags, platformOptionsOf, withClusterFlags } from '../cluster-flags.js';

interface UpFlags extends ClusterFlags {
  platform: PlatformName;
  config?: string;
  detach?: boolean;
  json?: boolean;
}

export function registerUp(program: Command): void {
  withClusterFlags(program.command('up'), { apiKey: true })
    .description('bring the reference stack up; stays in the foreground until Ctrl-C unless --detach')
    .option('--platform <name>', `where to run it: ${availablePlatformList}`, parsePlatformName, 'local')
    .option('--config <file>', 'cluster config YAML (default: the documented default stack)')
    .option(
      '--detach',
      'return once everything is ready and leave the stack running (stop it with gauntlet down)',
    )
    .option('--json', 'print {gateway, apiKey, components} as JSON')
    .action(async (flags: UpFlags) => {
      const config = loadClusterConfig(flags.config);
      const log = flags.json ? () => {} : (m: string) => process.stderr.write(`${m}\n`);
      const interrupt = listenForInterrupt();
      try {
        const platform = await platformFor(flags.platform, platformOptionsOf(flags.platform, flags));
        const stack = await platform.up(config, {
          detached: flags.detach ?? false,
          log,
        });
        if (flags.detach) {
          print(stack.describe(), flags.json ?? false);
          return;
        }
        if (!interrupt.received) {
          print(stack.describe(), flags.json ?? false);
          process.stderr.write('stack is up; press Ctrl-C to stop it\n');
          await interrupt.signalled;
        }
        process.stderr.write('stopping the stack...\n');
        await stack.down();
        process.exitCode = exitCodes.interrupted;
      } finally {
        interrupt.dispose();
      }
    });
}

function print(description: StackDescription, json: boolean): void {
  if (json) {
    const { gateway, apiKey, components, runId, runDir } = description;
    process.stdout.write(`${JSON.stringify({ gateway, apiKey, components, runId, runDir })}\n`);
    return;
  }
  process.stdout.write(
    `gateway  ${description.gateway}\napi key  ${description.apiKey}\nrun dir  ${description.runDir}\n`,
  );
  for (const c of description.components) {
    process.stdout.write(
      `  ${c.role.padEnd(8)} ${c.id.padEnd(16)} node=${c.node.padEnd(8)} ${describeInstance(c.instance).padEnd(12)} ${c.url ?? ''}\n`,
    );
  }
}
