import type { Command } from 'commander';
import { isSameProcessAlive, processState } from '../../core/process/process-identity.js';
import { loadStackStates } from '../../platforms/state/stack-state.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'show the stacks Gauntlet started that are still recorded (detached ones, or crashed leftovers)',
    )
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const stacks = loadStackStates().map((state) => ({
        runId: state.runId,
        platform: state.platform,
        detached: state.detached,
        ownerAlive: state.owner ? isSameProcessAlive(state.owner) : false,
        gateway: state.gateway,
        apiKey: state.apiKey,
        runDir: state.runDir,
        components: state.components.map((c) => ({
          role: c.role,
          id: c.id,
          node: c.node,
          pid: c.pid,
          url: c.url,
          state: !isSameProcessAlive(c) ? 'dead' : processState(c.pid) === 'T' ? 'frozen' : 'running',
        })),
      }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ stacks })}\n`);
        return;
      }
      if (stacks.length === 0) {
        process.stdout.write('no stack is running\n');
        return;
      }
      for (const s of stacks) {
        const kind = s.detached
          ? 'detached'
          : s.ownerAlive
            ? 'foreground'
            : 'orphaned (its harness died; run gauntlet down)';
        process.stdout.write(`${s.runId} (${s.platform}, ${kind}) gateway ${s.gateway ?? '-'}\n`);
        for (const c of s.components) {
          process.stdout.write(
            `  ${c.role.padEnd(8)} ${c.id.padEnd(16)} node=${c.node.padEnd(8)} pid=${String(c.pid).padEnd(8)} ${c.state.padEnd(8)} ${c.url ?? ''}\n`,
          );
        }
      }
    });
}
