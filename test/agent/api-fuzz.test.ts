// Fuzzing the API across its trust boundary: arbitrary methods, paths, queries, bodies and content types never give a 5xx or stop the agent.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpConfig } from '../../agent/config/schema.ts';
import { buildHttpApp } from '../../agent/http/server.ts';
import { silentLogger } from '../../agent/log.ts';
import { startTestAgent, tempDir, testConfig, type StartedAgent } from './helpers.ts';

let dir: ReturnType<typeof tempDir>;
let started: StartedAgent;
let app: FastifyInstance;

beforeAll(async () => {
  dir = tempDir('hasn-fuzz-');
  started = await startTestAgent(testConfig(dir.path, { http: { enabled: false } }));
  // Admin for everyone: the fuzzer must get past authentication to reach validation and the handlers.
  app = (await buildHttpApp(started.agent, HttpConfig.parse({ anonymous_role: 'admin', rate_limit: { max: 1_000_000 } }), silentLogger)).app;
  await app.ready();
  started.agent.createSnapshot('fuzz');
});
afterAll(async () => {
  await app.close();
  await started.stop();
  dir.remove();
});

const segment = fc.oneof(fc.constantFrom('1', '0', '-1', 'abc', 'light_left', 'hidden', '%00', '..', '9999999999999999999999', 'proximity'), fc.string({ maxLength: 12 }).map(encodeURIComponent));
const path = fc.oneof(
  fc.constantFrom('/api/v1/status', '/api/v1/spec', '/api/v1/populations', '/api/v1/spikes', '/api/v1/inputs', '/api/v1/outputs', '/api/v1/reward', '/api/v1/snapshots', '/api/v1/config', '/api/v1/tokens', '/healthz', '/readyz', '/metrics', '/'),
  segment.map((s) => `/api/v1/inputs/${s}`),
  segment.map((s) => `/api/v1/snapshots/${s}/restore`),
  segment.map((s) => `/api/v1/tokens/${s}`),
  segment.map((s) => `/api/v1/${s}`),
);
const query = fc.oneof(
  fc.constant(''),
  fc.dictionary(fc.constantFrom('cursor', 'from_step', 'limit', 'x', 'access_token'), fc.oneof(fc.integer().map(String), fc.string({ maxLength: 8 }))).map((q) => `?${new URLSearchParams(q).toString()}`),
);
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({ amount: fc.oneof(fc.double(), fc.integer(), fc.string()), projection: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: [] }),
  fc.record({ value: fc.oneof(fc.double({ noNaN: false }), fc.array(fc.double(), { maxLength: 30 }), fc.string()) }, { requiredKeys: [] }),
  fc.record({ population: fc.constantFrom('light_left', 'proximity', 'hidden', 'nope'), neurons: fc.array(fc.oneof(fc.integer({ min: -5, max: 40 }), fc.double()), { maxLength: 20 }) }, { requiredKeys: [] }),
  fc.record({ name: fc.string(), role: fc.constantFrom('viewer', 'operator', 'admin', 'root'), expires_in_s: fc.oneof(fc.integer(), fc.double()) }, { requiredKeys: [] }),
).map((v) => JSON.stringify(v) ?? 'null');
const body = fc.oneof(fc.constant(undefined), jsonBody, fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')));
const contentType = fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '');

describe('API fuzz', () => {
  it('answers every request with a status below 500 and a coded error body for 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), path, query, body, contentType, async (method, url, q, payload, type) => {
        const headers: Record<string, string> = {};
        if (type !== undefined) headers['content-type'] = type;
        const response = await app.inject({ method: method as 'GET', url: url + q, headers, ...(payload === undefined || method === 'GET' ? {} : { payload }) });
        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode >= 400) expect(response.json().error.code).toMatch(/^E_[A-Z_]+$/);
      }),
      { numRuns: 400 },
    );
    expect(started.agent.status().state).toBe('running');
    expect(started.agent.status().loop.step_errors).toBe(0);
  });
});
