import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// Printable ASCII without spaces: the id goes into response ids and headers as given.
const acceptedId = /^[\x21-\x7e]{1,128}$/;

/** The client's `x-request-id` when it is usable, else a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && acceptedId.test(given) ? given : randomUUID();
}
