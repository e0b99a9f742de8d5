import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformName } from '../../core/platform/platform.js';
import type { ProcessIdentity } from '../../core/process/process-identity.js';
import type { Role } from '../../stack/protocol/registry-keys.js';
import { stateDir } from './gauntlet-home.js';

/**
 * What a stack started, written to disk as it starts things: the record `gauntlet down` uses to clean up a
 * detached stack, or whatever a crashed run (harness SIGKILLed, test runner killed) left behind.
 */
export interface StackState {
  runId: string;
  platform: PlatformName;
  detached: boolean;
  owner: ProcessIdentity | undefined;
  createdAt: string;
  runDir: string;
  gateway?: string;
  apiKey?: string;
  components: Array<{ role: Role; id: string; node: string; url?: string } & ProcessIdentity>;
  /** Helper processes that are not stack components (fault proxies). */
  helpers: Array<{ kind: string } & ProcessIdentity>;
  /** A stack on an existing Kubernetes cluster: where its objects are (they carry the run's label). */
  kube?: {
    kubeconfig: string;
    context: string;
    namespace: string;
    stackImage: string;
    /** `--attach`: the stack is not Gauntlet's; teardown removes nothing from the cluster. */
    attached?: boolean;
  };
}

const fileOf = (runId: string) => join(stateDir(), `${runId}.json`);

export function saveStackState(state: StackState): void {
  mkdirSync(stateDir(), { recursive: true });
  const file = fileOf(state.runId);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temp, file);
}

export function removeStackState(runId: string): void {
  rmSync(fileOf(runId), { force: true });
}

export function loadStackStates(): StackState[] {
  let names: string[];
  try {
    names = readdirSync(stateDir());
  } catch {
    return [];
  }
  const states: StackState[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    try {
      states.push(JSON.parse(readFileSync(join(stateDir(), name), 'utf8')) as StackState);
    } catch {
      // A torn file from a crash mid-write cannot name processes; rename keeps this rare.
    }
  }
  return states;
}
