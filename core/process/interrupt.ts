/**
 * Ctrl-C / SIGTERM as a promise. Installed before anything is started, so a signal that arrives while the
 * stack is still coming up is not lost (without a listener, Node's default would kill the harness at once
 * and leave the rest to PR_SET_PDEATHSIG; with one, we tear down in order and write what we have).
 */
export interface Interrupt {
  readonly signalled: Promise<NodeJS.Signals>;
  readonly received: NodeJS.Signals | undefined;
  dispose(): void;
}

export function listenForInterrupt(): Interrupt {
  let received: NodeJS.Signals | undefined;
  let resolve: (signal: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((r) => {
    resolve = r;
  });
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      // A second Ctrl-C while tearing down: the user wants out now. Children die with us (pdeathsig).
      process.stderr.write('gauntlet: second interrupt, exiting now\n');
      process.exit(130);
    }
    received = signal;
    resolve(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signalled,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
