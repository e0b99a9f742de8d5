import type { ServerResponse } from 'node:http';
import { sendJson } from '../runtime/http-util.js';

export type ApiErrorType = 'invalid_request_error' | 'rate_limit_error' | 'server_error';

/**
 * An error answered in OpenAI's shape, `{"error":{"message","type","param","code"}}`, so that OpenAI
 * clients (and the `openai` npm package) surface the message, type and code unchanged.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    readonly code: string | null,
    message: string,
    readonly param: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): { error: { message: string; type: ApiErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const invalidRequest = (message: string, param: string | null, code: string | null = null) =>
  new ApiError(400, 'invalid_request_error', code, message, param);

export function sendApiError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.status, error.body(), error.headers);
}
