// The HTTP API contract: roles and tokens, malformed requests (4xx with a code), every endpoint, metrics, CORS, rate limits, a real listen and the SSE stream.
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { HttpConfig } from '../../agent/config/schema.ts';
import { buildHttpApp } from '../../agent/http/server.ts';
import { silentLogger } from '../../agent/log.ts';
import { startTestAgent, tempDir, testConfig, waitFor, type StartedAgent } from './helpers.ts';

let dir: ReturnType<typeof tempDir>;
let started: StartedAgent;
let app: FastifyInstance;
const token: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };

async function appWith(http: Partial<HttpConfig>): Promise<FastifyInstance> {
  const built = await buildHttpApp(started.agent, HttpConfig.parse(http), silentLogger);
  await built.app.ready();
  return built.app;
}

function auth(role: keyof typeof token): Record<string, string> {
  return { authorization: `Bearer ${token[role]}` };
}

function plasticWeights(net: CompiledNetwork): number[] {
  const p = net.plastic[0]!;
  return Array.from({ length: p.count }, (_, c) => net.partitions[p.locPartition[c]!]!.weight[p.locIndex[c]!]!);
}

beforeAll(async () => {
  dir = tempDir('hasn-api-');
  // No reward rule: the plastic weights move only when the API sends reward.
  started = await startTestAgent(testConfig(dir.path, { reward: { rules: [] }, http: { port: 0, host: '127.0.0.1', anonymous_role: 'none' } }));
  for (const role of ['viewer', 'operator', 'admin'] as const) token[role] = started.agent.tokens.create({ name: `test ${role}`, role }).token;
  app = await appWith({ anonymous_role: 'none', host: '0.0.0.0' });
  await waitFor(() => started.agent.readiness().ready, 3000, 'ready');
});
afterAll(async () => {
  await app.close();
  await started.stop();
  dir.remove();
});

describe('health', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready', reasons: [] }]);
  });
});

describe('authentication and roles', () => {
  it('refuses requests without a token when the anonymous role is none', async () => {
    const response = await app.inject({ url: '/api/v1/status' });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('E_API_UNAUTHENTICATED');
  });

  it('refuses unknown, malformed and revoked tokens with 401', async () => {
    const fake = 'hasn_0123456789abcdef_' + 'A'.repeat(43);
    for (const authorization of [`Bearer ${fake}`, 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${token.viewer}x`]) {
      const response = await app.inject({ url: '/api/v1/status', headers: { authorization } });
      expect([response.statusCode, response.json().error.code]).toEqual([401, 'E_API_UNAUTHENTICATED']);
    }
    const revocable = started.agent.tokens.create({ name: 'short-lived', role: 'admin' });
    expect((await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${revocable.token}` } })).statusCode).toBe(200);
    started.agent.tokens.revoke(revocable.info.id);
    expect((await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${revocable.token}` } })).statusCode).toBe(401);
  });

  it('lets a viewer read but not act, an operator act but not restore, an admin do everything', async () => {
    const reward = { method: 'POST' as const, url: '/api/v1/reward', payload: { amount: 0.1 } };
    expect((await app.inject({ url: '/api/v1/status', headers: auth('viewer') })).statusCode).toBe(200);
    const denied = await app.inject({ ...reward, headers: auth('viewer') });
    expect([denied.statusCode, denied.json().error.code]).toEqual([403, 'E_API_FORBIDDEN']);
    expect((await app.inject({ ...reward, headers: auth('operator') })).statusCode).toBe(200);
    const snapshot = await app.inject({ method: 'POST', url: '/api/v1/snapshots', headers: auth('operator') });
    expect(snapshot.statusCode).toBe(201);
    const restore = { method: 'POST' as const, url: `/api/v1/snapshots/${snapshot.json().id}/restore` };
    expect((await app.inject({ ...restore, headers: auth('operator') })).statusCode).toBe(403);
    expect((await app.inject({ ...restore, headers: auth('admin') })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/config', headers: auth('operator') })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/config', headers: auth('admin') })).json()).toMatchObject({ device: { id: 'test-agent' } });
  });

  it('gives anonymous requests the viewer role on a loopback address by default', async () => {
    const local = await appWith({ host: '127.0.0.1' });
    expect((await local.inject({ url: '/api/v1/status' })).statusCode).toBe(200);
    expect((await local.inject({ method: 'POST', url: '/api/v1/reward', payload: { amount: 1 } })).statusCode).toBe(401);
    await local.close();
  });

  it('manages tokens through the API (admin only), records them in the audit log, and never lists secrets', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth('admin'), payload: { name: 'dashboard', role: 'viewer', expires_in_s: 3600 } });
    expect(created.statusCode).toBe(201);
    const { token: secret, id } = created.json() as { token: string; id: string };
    expect((await app.inject({ url: '/api/v1/status', headers: { authorization: `Bearer ${secret}` } })).statusCode).toBe(200);
    const list = await app.inject({ url: '/api/v1/tokens', headers: auth('admin') });
    expect(JSON.stringify(list.json())).not.toContain(secret.split('_')[2]);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: auth('admin') })).json()).toEqual({ revoked: id });
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: auth('admin') })).json().error.code).toBe('E_TOKEN_NOT_FOUND');
    expect((await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth('operator'), payload: { name: 'x', role: 'admin' } })).statusCode).toBe(403);
    expect(started.agent.audit.list({ action: 'token.revoke' }).map((r) => r.target)).toContain(id);
  });
});

describe('malformed requests get a 4xx with a code', () => {
  const cases: [string, InjectOptions, number, string][] = [
    ['broken JSON', { method: 'POST', url: '/api/v1/reward', payload: '{"amount": 1', headers: { 'content-type': 'application/json' } }, 400, 'E_API_JSON'],
    ['an empty JSON body', { method: 'POST', url: '/api/v1/reward', payload: '', headers: { 'content-type': 'application/json' } }, 400, 'E_API_JSON'],
    ['a body that is not JSON', { method: 'POST', url: '/api/v1/reward', payload: 'amount=1', headers: { 'content-type': 'text/plain' } }, 415, 'E_API_CONTENT_TYPE'],
    ['a wrong type', { method: 'POST', url: '/api/v1/reward', payload: { amount: 'lots' } }, 400, 'E_API_VALIDATION'],
    ['an out-of-range value', { method: 'POST', url: '/api/v1/reward', payload: { amount: 1e9 } }, 400, 'E_API_VALIDATION'],
    ['an unknown field', { method: 'POST', url: '/api/v1/reward', payload: { amount: 1, bonus: 2 } }, 400, 'E_API_VALIDATION'],
    ['a missing field', { method: 'POST', url: '/api/v1/spikes', payload: { neurons: [1] } }, 400, 'E_API_VALIDATION'],
    ['an unknown query parameter', { url: '/api/v1/spikes?since=3' }, 400, 'E_API_VALIDATION'],
    ['a non-numeric id', { method: 'POST', url: '/api/v1/snapshots/abc/restore' }, 400, 'E_API_VALIDATION'],
    ['a body where none is taken', { method: 'DELETE', url: '/api/v1/tokens/abc', payload: { force: true } }, 400, 'E_API_VALIDATION'],
    ['an unknown endpoint', { url: '/api/v1/nothing' }, 404, 'E_API_NOT_FOUND'],
    ['an unknown input', { method: 'PUT', url: '/api/v1/inputs/nothing', payload: { value: 1 } }, 404, 'E_BRAIN_UNKNOWN_INPUT'],
    ['a vector of the wrong length', { method: 'PUT', url: '/api/v1/inputs/light_left', payload: { value: [1, 2] } }, 400, 'E_CODEC_VALUE'],
    ['spikes into a LIF population', { method: 'POST', url: '/api/v1/spikes', payload: { population: 'hidden', neurons: [0] } }, 400, 'E_BRAIN_NOT_SPIKE_SOURCE'],
    ['a neuron out of range', { method: 'POST', url: '/api/v1/spikes', payload: { population: 'proximity', neurons: [99] } }, 400, 'E_BRAIN_NEURON_OUT_OF_RANGE'],
    ['an unknown snapshot', { method: 'POST', url: '/api/v1/snapshots/999999/restore' }, 404, 'E_SNAPSHOT_NOT_FOUND'],
    ['reward for an unknown projection', { method: 'POST', url: '/api/v1/reward', payload: { amount: 1, projection: 'nope' } }, 404, 'E_BRAIN_UNKNOWN_PROJECTION'],
  ];
  for (const [what, request, status, code] of cases) {
    it(`answers ${what} with ${status} ${code}`, async () => {
      const response = await app.inject({ ...request, headers: { ...auth('admin'), ...(request.headers ?? {}) } });
      expect(response.statusCode).toBe(status);
      expect(response.json().error.code).toBe(code);
    });
  }

  it('names every invalid field with its path', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/spikes', headers: auth('admin'), payload: { population: 7, neurons: [1, -2, 'x'], extra: true } });
    const paths = (response.json().error.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.population', 'body.neurons[1]', 'body.neurons[2]', 'body']));
  });

  it('refuses bodies above the configured limit with 413', async () => {
    const small = await appWith({ anonymous_role: 'admin', body_limit_bytes: 1024 });
    const response = await small.inject({ method: 'PUT', url: '/api/v1/inputs/light_left', payload: { value: Array.from({ length: 500 }, () => 0.5) } });
    expect([response.statusCode, response.json().error.code]).toEqual([413, 'E_API_BODY_TOO_LARGE']);
    await small.close();
  });
});

describe('endpoints', () => {
  it('reports status, spec and populations with their rates', async () => {
    const status = (await app.inject({ url: '/api/v1/status', headers: auth('viewer') })).json();
    expect(status).toMatchObject({ state: 'running', brain: { name: 'sensorimotor', neurons: 208 }, backend: { active: 'cpu' } });
    expect((await app.inject({ url: '/api/v1/spec', headers: auth('viewer') })).json()).toMatchObject({ version: 1, name: 'sensorimotor' });
    await waitFor(() => started.agent.status().populations.some((p) => p.rate_hz > 0), 3000, 'rates');
    const populations = (await app.inject({ url: '/api/v1/populations', headers: auth('viewer') })).json() as { id: string; rate_hz: number; module: string }[];
    expect(populations.map((p) => `${p.id}/${p.module}`)).toEqual(['light_left/sensory', 'light_right/sensory', 'proximity/sensory', 'hidden/memory', 'inhibitory/executive', 'motor/motor']);
    expect(populations.find((p) => p.id === 'hidden')!.rate_hz).toBeGreaterThan(0);
  });

  it('sets an input value and injects spikes that appear in the recent spikes', async () => {
    expect((await app.inject({ method: 'PUT', url: '/api/v1/inputs/proximity', headers: auth('operator'), payload: { value: 0.25 } })).json()).toEqual({ id: 'proximity', value: 0.25 });
    const inputs = (await app.inject({ url: '/api/v1/inputs', headers: auth('viewer') })).json() as { id: string; value: number }[];
    expect(inputs.find((i) => i.id === 'proximity')!.value).toBe(0.25);
    const injected = await app.inject({ method: 'POST', url: '/api/v1/spikes', headers: auth('operator'), payload: { population: 'light_right', neurons: [3] } });
    expect(injected.statusCode).toBe(202);
    const step = injected.json().step as number;
    const offset = 20; // light_right follows light_left (20 neurons)
    await waitFor(() => started.agent.status().brain!.step > step + 2, 2000, 'the step to run');
    const spikes = (await app.inject({ url: `/api/v1/spikes?from_step=${step}&limit=100000`, headers: auth('viewer') })).json() as { steps: number[]; neurons: number[] };
    const at = spikes.steps.map((s, i) => [s, spikes.neurons[i]]).filter(([s]) => s === step);
    expect(at).toContainEqual([step, offset + 3]);
  });

  it('reads decoded outputs', async () => {
    await waitFor(() => started.agent.outputs().every((o) => o.decoded !== null), 3000, 'outputs');
    const outputs = (await app.inject({ url: '/api/v1/outputs', headers: auth('viewer') })).json() as { id: string; decoded: { kind: string } }[];
    expect(outputs.map((o) => `${o.id}:${o.decoded.kind}`)).toEqual(['steer:winner_take_all', 'motor_rate:rate']);
  });

  it('changes the reward_stdp weights through the reward endpoint', async () => {
    // A fresh agent: earlier tests sent reward here, whose decaying level still nudges the weights.
    const own = tempDir('hasn-api-reward-');
    const fresh = await startTestAgent(testConfig(own.path, { reward: { rules: [] }, http: { enabled: false } }));
    try {
      const freshApp = (await buildHttpApp(fresh.agent, HttpConfig.parse({ anonymous_role: 'operator' }), silentLogger)).app;
      const net = fresh.agent.runtime.brain!.net;
      const before = plasticWeights(net);
      await waitFor(() => fresh.agent.status().brain!.step > 300, 3000, 'activity');
      expect(plasticWeights(net)).toEqual(before); // no rule in this config: nothing moves them
      const response = await freshApp.inject({ method: 'POST', url: '/api/v1/reward', payload: { amount: 20 } });
      expect(response.json()).toMatchObject({ amount: 20, projections: ['hidden_to_motor'] });
      await waitFor(() => plasticWeights(net).some((w, i) => w !== before[i]), 3000, 'weights to move');
      expect(fresh.agent.audit.list({ action: 'brain.reward' })).toEqual([expect.objectContaining({ actor: 'anonymous', details: expect.objectContaining({ amount: 20 }) })]);
      await freshApp.close();
    } finally {
      await fresh.stop();
      own.remove();
    }
  });

  it('lists, creates and restores snapshots', async () => {
    const created = (await app.inject({ method: 'POST', url: '/api/v1/snapshots', headers: auth('operator'), payload: {} })).json() as { id: number; step: number; reason: string };
    expect(created.reason).toBe('manual');
    const list = (await app.inject({ url: '/api/v1/snapshots', headers: auth('viewer') })).json() as { id: number }[];
    expect(list[0]!.id).toBe(created.id);
    const restored = (await app.inject({ method: 'POST', url: `/api/v1/snapshots/${created.id}/restore`, headers: auth('admin') })).json();
    expect(restored).toEqual({ snapshot: created.id, step: created.step });
    expect(started.agent.status().brain!.restored_from).toEqual({ snapshot: created.id, step: created.step });
  });

  it('serves Prometheus metrics for the engine, populations, sensors, snapshots and the machine', async () => {
    await waitFor(() => started.agent.status().sensors.every((s) => s.samples > 0), 2000, 'samples');
    await new Promise((resolve) => setTimeout(resolve, 1100)); // one rate interval
    const response = await app.inject({ url: '/metrics', headers: auth('viewer') });
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    for (const line of [
      /^hasn_engine_steps_total \d+/m,
      /^hasn_engine_steps_per_second \d/m,
      /^hasn_engine_realtime_factor 0?\.\d+|^hasn_engine_realtime_factor 1/m,
      /^hasn_population_spike_rate_hz\{population="hidden",module="memory"\} \d/m,
      /^hasn_sensor_samples_total\{sensor="light_left"\} [1-9]/m,
      /^hasn_sensor_sample_rate_hz\{sensor="light_left"\} [1-9]/m,
      /^hasn_sensor_errors_total\{sensor="light_left"\} 0/m,
      /^hasn_sensor_to_spike_latency_seconds_count [1-9]/m,
      /^hasn_sensor_to_step_latency_seconds_count [1-9]/m,
      /^hasn_snapshot_age_seconds \d/m,
      /^hasn_outbox_depth 0/m,
      /^hasn_memory_total_bytes \d/m,
      /^hasn_process_resident_memory_bytes \d/m,
      /^hasn_agent_state\{state="running"\} 1/m,
    ]) expect(text).toMatch(line);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });
});

describe('cross-origin and rate limits', () => {
  it('answers CORS preflights only for configured origins', async () => {
    const withCors = await appWith({ anonymous_role: 'viewer', cors: { origins: ['https://fleet.example'] } });
    const allowed = await withCors.inject({ method: 'OPTIONS', url: '/api/v1/status', headers: { origin: 'https://fleet.example', 'access-control-request-method': 'GET' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://fleet.example');
    const other = await withCors.inject({ method: 'OPTIONS', url: '/api/v1/status', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await withCors.close();
    const none = await app.inject({ url: '/api/v1/status', headers: { ...auth('viewer'), origin: 'https://fleet.example' } });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('limits requests per token (and per address for bad tokens) with 429 and Retry-After', async () => {
    const limited = await appWith({ anonymous_role: 'none', rate_limit: { max: 3, window_s: 60 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.inject({ url: '/api/v1/status', headers: auth('viewer') })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const blocked = await limited.inject({ url: '/api/v1/status', headers: auth('viewer') });
    expect(blocked.json().error.code).toBe('E_API_RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another token has its own budget; guessing tokens from one address shares one budget.
    expect((await limited.inject({ url: '/api/v1/status', headers: auth('admin') })).statusCode).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 4; i++) guesses.push((await limited.inject({ url: '/api/v1/status', headers: { authorization: `Bearer hasn_${String(i).padStart(16, '0')}_${'B'.repeat(43)}` } })).statusCode);
    expect(guesses).toEqual([401, 401, 401, 429]);
    expect((await limited.inject({ url: '/healthz' })).statusCode).toBe(200);
    await limited.close();
  });
});

describe('a real listen', () => {
  it('serves the API on 127.0.0.1 and streams spikes and status over SSE', async () => {
    const url = started.agent.url!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const status = await fetch(`${url}/api/v1/status`, { headers: auth('viewer') });
    expect(status.status).toBe(200);
    const controller = new AbortController();
    const response = await fetch(`${url}/api/v1/stream?access_token=${encodeURIComponent(token.viewer)}`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const events: { event: string; data: Record<string, unknown> }[] = [];
    while (!events.some((e) => e.event === 'spikes' && (e.data.n as number[]).length > 0)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) !== -1) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
      }
    }
    controller.abort();
    expect(events[0]).toMatchObject({ event: 'hello', data: { device: { id: 'test-agent' }, brain: { name: 'sensorimotor', neurons: 208 } } });
    expect(events[1]!.event).toBe('status');
    const spikes = events.find((e) => e.event === 'spikes')!.data as { from_step: number; t: number[]; n: number[] };
    expect(spikes.t.length).toBe(spikes.n.length);
    expect(spikes.n.every((n) => n >= 0 && n < 208)).toBe(true);
    const unauthorised = await fetch(`${url}/api/v1/stream`);
    expect(unauthorised.status).toBe(401);
  });
});
