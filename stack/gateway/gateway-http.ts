import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from '../runtime/http-util.js';
import { ApiError, invalidRequest } from './api-error.js';

/** Small request helpers of the gateway's HTTP layer; each throws ApiError for the client's mistakes. */

export async function readJson(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, limitBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      throw new ApiError(
        413,
        'invalid_request_error',
        'request_too_large',
        `The request body exceeds ${limitBytes} bytes`,
      );
    }
    throw error;
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidRequest('The request body is not valid JSON', null, 'invalid_json');
  }
}

export function allowMethods(req: IncomingMessage, methods: readonly string[]): void {
  if (methods.includes(req.method ?? '')) return;
  throw new ApiError(
    405,
    'invalid_request_error',
    'method_not_allowed',
    `Method ${req.method} is not allowed here; use ${methods.join(' or ')}`,
    null,
    { allow: methods.join(', ') },
  );
}

export function unknownRoute(req: IncomingMessage, path: string): ApiError {
  return new ApiError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${req.method} ${path})`);
}

export function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

export function urlHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '[::1]';
  return address.includes(':') ? `[${address}]` : address;
}
