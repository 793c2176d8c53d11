// The agent's HTTP server (the one module that imports fastify and its plugins): API v1, health, metrics, live stream, dashboard.
//
// Request pipeline: identify the caller (token or anonymous role; a bad token is remembered, not yet refused) →
// rate limit per token, or per address without a valid one (so guessing tokens is rate limited too) → refuse a bad
// token (401) or a too-low role (403) → validate params, query and body with the route's zod schemas (400 with
// every issue) → handler. Every error leaves as `{ error: { code, message, path?, issues? } }`.
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { HasnError, formatPath } from '../../core/errors.ts';
import type { HttpConfig } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { createAgentMetrics } from '../metrics/metrics.ts';
import type { AgentOperations } from '../operations.ts';
import { API_PREFIX, apiV1Routes } from './api-v1.ts';
import { apiError, errorResponse } from './api-errors.ts';
import { anonymousRole, identify, presentedToken, roleAllows, type Identity } from './auth.ts';
import { DASHBOARD_FILES } from './dashboard-files.ts';
import { LiveStream } from './live-stream.ts';
import type { Route } from './route.ts';

export interface HttpServer {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface RequestAuth {
  identity: Identity | null;
  error: HasnError | null;
}

const auth = new WeakMap<FastifyRequest, RequestAuth>();

function validationError(part: string, error: z.ZodError): HasnError {
  const issues = error.issues.map((issue) => ({
    code: issue.code === 'unrecognized_keys' ? 'E_API_UNKNOWN_FIELD' : 'E_API_VALIDATION',
    path: `${part}${issue.path.length > 0 ? `.${formatPath(issue.path)}` : ''}`,
    message: issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
  }));
  const first = issues[0]!;
  return apiError('E_API_VALIDATION', `invalid request ${part}: ${first.path}: ${first.message}`, { path: first.path, issues });
}

function parsePart<T>(schema: z.ZodType<T>, value: unknown, part: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(part, result.error);
  return result.data;
}

/** The identity a request carries, refusing it if its token was bad or its role too low. */
function authorize(request: FastifyRequest, role: Route['role']): Identity {
  const state = auth.get(request);
  if (state?.error) throw state.error;
  const identity = state?.identity ?? { actor: 'anonymous', role: 'none', tokenId: null };
  if (role === 'public') return identity;
  if (!roleAllows(identity.role, role)) {
    if (identity.tokenId === null) throw apiError('E_API_UNAUTHENTICATED', `this needs the ${role} role: send "Authorization: Bearer <token>" (create one with \`hasn agent token create\`)`);
    throw apiError('E_API_FORBIDDEN', `this needs the ${role} role; the token has ${identity.role}`);
  }
  return identity;
}

/** Fastify's own errors (JSON syntax, media type, size, rate limit) as our codes. */
function frameworkError(err: { statusCode?: number; code?: string; message?: string }): HasnError | null {
  const status = err.statusCode ?? 500;
  if (status >= 500) return null;
  if (status === 413) return apiError('E_API_BODY_TOO_LARGE', 'the request body is too large');
  if (status === 415) return apiError('E_API_CONTENT_TYPE', 'send JSON with "Content-Type: application/json"');
  if (status === 429) return apiError('E_API_RATE_LIMITED', err.message ?? 'too many requests; slow down');
  if (status === 404) return apiError('E_API_NOT_FOUND', 'no such endpoint');
  if (err.code?.startsWith('FST_ERR_CTP_') || /JSON/i.test(err.message ?? '')) return apiError('E_API_JSON', `the body is not valid JSON: ${err.message ?? ''}`);
  return apiError('E_API_BAD_REQUEST', err.message ?? 'bad request');
}

function sendError(reply: FastifyReply, err: unknown, log: Logger, request: FastifyRequest): void {
  const known = err instanceof HasnError ? err : frameworkError(err as { statusCode?: number });
  const { status, body } = errorResponse(known ?? err);
  if (status >= 500) log.error({ err, method: request.method, url: request.routeOptions.url }, `request failed: ${(err as Error).message}`);
  if (status === 429) {
    const retry = (err as { ttl?: number }).ttl;
    if (retry !== undefined) void reply.header('retry-after', Math.ceil(retry / 1000));
  }
  void reply.code(status).header('cache-control', 'no-store').send(body);
}

export async function buildHttpApp(ops: AgentOperations, config: HttpConfig, log: Logger): Promise<{ app: FastifyInstance; stream: LiveStream }> {
  const app = Fastify({ bodyLimit: config.body_limit_bytes, logger: false, forceCloseConnections: true, return503OnClosing: true });
  const anonymous = anonymousRole(config);
  const stream = new LiveStream(ops, { onError: (err) => log.error({ err }, `live stream: ${(err as Error).message}`) });
  const metrics = createAgentMetrics(ops);
  // JSON only: fastify would otherwise accept text/plain, the one body type a foreign web page can POST
  // cross-origin without a CORS preflight.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request) => {
    try {
      const token = presentedToken(request.headers.authorization, (request.query as Record<string, unknown> | undefined)?.access_token);
      auth.set(request, { identity: identify(token, ops.tokens, anonymous), error: null });
    } catch (err) {
      auth.set(request, { identity: null, error: err instanceof HasnError ? err : apiError('E_API_UNAUTHENTICATED', 'invalid credentials') });
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
  });
  app.addHook('onResponse', async (request, reply) => {
    if (log.isLevelEnabled('debug')) log.debug({ method: request.method, url: request.routeOptions.url ?? request.url.split('?')[0], status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  if (config.cors.origins.length > 0) {
    await app.register(cors, { origin: config.cors.origins, methods: ['GET', 'POST', 'PUT', 'DELETE'], allowedHeaders: ['Authorization', 'Content-Type'], maxAge: 600 });
  }
  await app.register(rateLimit, {
    global: true,
    max: config.rate_limit.max,
    timeWindow: config.rate_limit.window_s * 1000,
    keyGenerator: (request) => {
      const tokenId = auth.get(request)?.identity?.tokenId;
      return tokenId ? `token:${tokenId}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => ({ statusCode: 429, ttl: context.ttl, message: `more than ${context.max} requests in ${context.after}; retry in ${Math.ceil(context.ttl / 1000)} s` }),
  });
  app.setErrorHandler((err, request, reply) => sendError(reply, err, log, request));
  app.setNotFoundHandler((request, reply) => sendError(reply, apiError('E_API_NOT_FOUND', `no endpoint ${request.method} ${request.url.split('?')[0]}`), log, request));

  for (const r of apiV1Routes(ops)) {
    app.route({
      method: r.method,
      url: r.path,
      handler: async (request, reply) => {
        const identity = authorize(request, r.role);
        const params = parsePart(r.params, request.params ?? {}, 'params');
        const { access_token: _token, ...queryRest } = (request.query ?? {}) as Record<string, unknown>;
        const query = parsePart(r.query, queryRest, 'query');
        let body: unknown;
        if (r.body !== undefined) body = parsePart(r.body, request.body, 'body');
        else if (request.body !== undefined && request.body !== null) throw apiError('E_API_VALIDATION', `${r.method} ${r.path} takes no body`, { path: 'body' });
        const result = await r.handler({ params, query, body, identity });
        return reply.code(r.status ?? 200).header('cache-control', 'no-store').send(result);
      },
    });
  }

  const health = { config: { rateLimit: false as const } };
  app.get('/healthz', health, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', health, async (_request, reply) => {
    const readiness = ops.readiness();
    return reply.code(readiness.ready ? 200 : 503).header('cache-control', 'no-store').send({ status: readiness.ready ? 'ready' : 'not_ready', reasons: readiness.reasons });
  });
  app.get('/metrics', async (request, reply) => {
    authorize(request, 'viewer');
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(await metrics.render());
  });
  app.get(`${API_PREFIX}/stream`, async (request, reply) => {
    authorize(request, 'viewer');
    const raw = reply.raw;
    const client = {
      write: (chunk: string) => raw.write(chunk),
      ready: () => !raw.writableNeedDrain,
      end: () => raw.end(),
    };
    // add() sends the first events; it throws (503) before anything is written when there are too many streams.
    reply.hijack();
    let remove: () => void;
    try {
      raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no', 'x-content-type-options': 'nosniff' });
      remove = stream.add(client);
    } catch (err) {
      const { body } = errorResponse(err);
      raw.end(`event: error\ndata: ${JSON.stringify(body)}\n\n`);
      return;
    }
    request.raw.on('close', () => remove());
  });
  if (config.dashboard) {
    for (const file of DASHBOARD_FILES) {
      app.get(file.url, { config: { rateLimit: false } }, async (_request, reply) =>
        reply.header('content-type', file.contentType).header('cache-control', 'no-cache').header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'").send(file.body));
    }
  }
  return { app, stream };
}

/** Builds the app and listens on config.host:config.port (0 = any free port). Throws E_HTTP_LISTEN. */
export async function startHttpServer(ops: AgentOperations, config: HttpConfig, log: Logger): Promise<HttpServer> {
  const { app, stream } = await buildHttpApp(ops, config, log);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await app.close();
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ' (another agent? give this one --http-port)' : '';
    throw new HasnError('E_HTTP_LISTEN', `cannot listen on ${config.host}:${config.port}: ${(err as Error).message}${hint}`, { path: 'http.port', cause: err });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: async () => {
      stream.close();
      await app.close();
    },
  };
}
