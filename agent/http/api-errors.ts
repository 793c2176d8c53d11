// How errors become HTTP responses: a stable code in a JSON body, and a status chosen from the code.
import { HasnError, type Issue } from '../../core/errors.ts';

export interface ApiErrorBody {
  error: { code: string; message: string; path?: string; issues?: readonly Issue[] };
}

const STATUS_BY_CODE: Record<string, number> = {
  E_API_VALIDATION: 400,
  E_API_JSON: 400,
  E_API_BAD_REQUEST: 400,
  E_API_UNAUTHENTICATED: 401,
  E_API_FORBIDDEN: 403,
  E_API_NOT_FOUND: 404,
  E_API_METHOD: 405,
  E_API_BODY_TOO_LARGE: 413,
  E_API_CONTENT_TYPE: 415,
  E_API_RATE_LIMITED: 429,
  E_API_TOO_MANY_STREAMS: 503,
  E_NO_BRAIN: 409,
  E_BRAIN_BUSY: 409,
  E_AGENT_NOT_STARTED: 503,
  E_BRAIN_UNKNOWN_INPUT: 404,
  E_BRAIN_UNKNOWN_POPULATION: 404,
  E_BRAIN_UNKNOWN_PROJECTION: 404,
  E_BRAIN_NOT_SPIKE_SOURCE: 400,
  E_BRAIN_NEURON_OUT_OF_RANGE: 400,
  E_BRAIN_REWARD_VALUE: 400,
  E_CODEC_VALUE: 400,
  E_SNAPSHOT_NOT_FOUND: 404,
  E_SNAPSHOT_SPEC_MISMATCH: 409,
  E_SNAPSHOT_CORRUPT: 409,
  E_SNAPSHOT_VERSION: 409,
  E_TOKEN_INVALID: 400,
  E_TOKEN_NOT_FOUND: 404,
};

export function statusForCode(code: string): number {
  if (code in STATUS_BY_CODE) return STATUS_BY_CODE[code]!;
  if (code.startsWith('E_STORE_')) return 503;
  return 500;
}

export function apiError(code: string, message: string, options: { path?: string; issues?: readonly Issue[] } = {}): HasnError {
  return new HasnError(code, message, options);
}

/** The response for any thrown value; unexpected errors keep their detail out of the body (it goes to the log). */
export function errorResponse(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof HasnError) return { status: statusForCode(err.code), body: { error: err.toJSON() } };
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal error (logged on the device)' } } };
}
