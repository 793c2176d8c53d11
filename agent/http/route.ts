// A JSON API route, independent of the HTTP framework: method, path, the role it needs, zod schemas for every part of the request.
import type { z } from 'zod';
import type { Role } from '../config/schema.ts';
import type { Identity } from './auth.ts';

export interface RouteRequest<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  identity: Identity;
}

export interface Route<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** fastify-style path, e.g. `/api/v1/snapshots/:id/restore`. */
  path: string;
  /** The least role allowed; 'public' needs none. */
  role: Role | 'public';
  /** Every part is validated; a request part without a schema must be empty. */
  params: z.ZodType<P>;
  query: z.ZodType<Q>;
  /** Absent for requests without a body (GET, DELETE, and POSTs that take none). */
  body?: z.ZodType<B>;
  /** Success status (default 200). */
  status?: number;
  /** Returns the JSON response body. */
  handler(request: RouteRequest<P, Q, B>): unknown;
}

/** Keeps each route's parameter types while collecting routes of different shapes in one list. */
export function route<P, Q, B>(definition: Route<P, Q, B>): Route {
  return definition as unknown as Route;
}
