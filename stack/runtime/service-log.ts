/** One line a message on stderr, prefixed with time, role and id; the platform keeps it in the run folder. */
export function serviceLogger(role: string, id: string): (message: string) => void {
  return (message) => process.stderr.write(`${new Date().toISOString()} ${role}/${id} ${message}\n`);
}
