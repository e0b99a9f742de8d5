// Entry point of the stack image: the container's command names the role (gateway, batcher or worker) and
// the service reads its settings from GAUNTLET_SERVICE, exactly as a local process does.
const roles = ['gateway', 'batcher', 'worker'];
const role = process.argv[2];
if (!roles.includes(role)) {
  process.stderr.write(
    `gauntlet stack image: the command must be one of ${roles.join(', ')} (got ${role ?? 'none'})\n`,
  );
  process.exit(2);
}
await import(`./dist/stack/${role}/main.js`);
