/**
 * testcontainers' defaults that cannot work here: ryuk (its reaper) would have to be pulled from a
 * registry, so it is off and Gauntlet removes what a run created by label itself (also after a crash);
 * and ports are read on 127.0.0.1, where the gateway is published. Set before testcontainers' first call
 * (it reads them lazily), so importing this module is enough.
 */
process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

export const testcontainersConfigured = true;
