import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { withWorkloadFlags, workloadEnv, workloadRecord } from './workload-flags.js';

function parse(args: string[]): Record<string, unknown> {
  const command = withWorkloadFlags(new Command().exitOverride().configureOutput({ writeErr: () => {} }));
  command.parse(args, { from: 'user' });
  return command.opts();
}

describe('workload flags', () => {
  it('become scenario variables and the run.json record', () => {
    const flags = parse(['--prefix-share', '50%', '--turns', '3', '--cancel-share', '0.1']);
    const env = workloadEnv(flags);
    expect(env).toEqual({ PREFIX_SHARE: '0.5', TURNS: '3', CANCEL_SHARE: '0.1' });
    expect(workloadRecord(env)).toEqual({
      prefixShare: 0.5,
      prefixGroups: 1,
      turns: 3,
      conversations: 8,
      cancelShare: 0.1,
      cancelAfterMs: 500,
    });
  });

  it('refuse bad values up front, saying which flag and what is allowed', () => {
    expect(() => parse(['--prefix-share', '1.5'])).toThrow(
      "--prefix-share must be a share between 0 and 1 (or 0% to 100%), got '1.5'",
    );
    expect(() => parse(['--turns', '0'])).toThrow("--turns must be an integer from 1 to 1000, got '0'");
    expect(() => parse(['--cancel-share', 'some'])).toThrow(/--cancel-share must be a share/);
  });

  it('refuse a shared prefix with a dataset, and an --env that contradicts a flag', () => {
    expect(() => workloadEnv({ prefixShare: 0.5 }, { PROMPTS: 'p.jsonl' })).toThrow(
      '--prefix-share works with synthetic prompts only',
    );
    expect(() => workloadEnv({ turns: 2 }, { TURNS: '3' })).toThrow('--env TURNS=3 contradicts its flag');
    expect(workloadEnv({ prefixShare: 0 }, { PROMPTS: 'p.jsonl' })).toEqual({ PREFIX_SHARE: '0' });
  });
});
