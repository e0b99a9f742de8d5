/**
 * SIGTERM (platforms stopping a service) and SIGINT (Ctrl-C) both start the service's graceful stop, once:
 * a second signal while draining does not start a second drain.
 */
export function onShutdownSignals(stop: (signal: NodeJS.Signals) => void | Promise<void>): void {
  let stopping = false;
  const once = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void stop(signal);
  };
  process.on('SIGTERM', once);
  process.on('SIGINT', once);
}
