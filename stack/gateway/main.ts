import { announceReady } from '../runtime/ready-line.js';
import { readServiceEnv } from '../runtime/service-env.js';
import { serviceLogger } from '../runtime/service-log.js';
import { onShutdownSignals } from '../runtime/shutdown-signals.js';
import { startGatewayService } from './gateway-service.js';

/** The gateway process: `GAUNTLET_SERVICE` in, `GAUNTLET_READY {url,pid}` out once it listens. */
const env = readServiceEnv();
const log = serviceLogger('gateway', env.id);

const service = await startGatewayService(env, { log }).catch((error: Error) => {
  log(`gateway failed to start: ${error.message}`);
  process.exit(1);
});
announceReady(service.url);

onShutdownSignals((signal) => {
  log(`${signal}: draining (at most 10 s)`);
  service.stop(10_000).then(
    () => process.exit(0),
    (error: Error) => {
      log(`stopping failed: ${error.message}`);
      process.exit(1);
    },
  );
});
