// JSON API v1: status, spec, populations, spikes, inputs, outputs, reward, learning, snapshots, config and tokens, each with its role.
import { z } from 'zod';
import { ROLES } from '../config/schema.ts';
import type { AgentOperations } from '../operations.ts';
import { apiError } from './api-errors.ts';
import { route, type Route } from './route.ts';

export const API_PREFIX = '/api/v1';

const none = z.strictObject({});
const idParam = z.strictObject({ id: z.string().min(1).max(200) });
const numericId = z.strictObject({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const inputValue = z.union([z.number(), z.array(z.number()).min(1).max(100_000)]);

export const SetInputBody = z.strictObject({ value: inputValue });
export const InjectSpikesBody = z.strictObject({
  population: z.string().min(1).max(200),
  neurons: z.array(z.number().int().nonnegative()).max(100_000),
});
export const RewardBody = z.strictObject({
  /** Positive rewards, negative punishes; the level decays with the rule's tau_reward_ms. */
  amount: z.number().min(-1000).max(1000),
  projection: z.string().min(1).max(200).optional(),
});
export const LearningQuery = z.strictObject({
  /** Only curve points numbered from here on (a client that has the earlier ones). */
  from: z.coerce.number().int().nonnegative().optional(),
});
export const WeightsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
});
export const CreateTokenBody = z.strictObject({
  name: z.string().min(1).max(100),
  role: z.enum(ROLES),
  /** Lifetime; absent = until revoked. */
  expires_in_s: z.number().int().positive().max(10 * 365 * 86_400).optional(),
});
export const SpikesQuery = z.strictObject({
  cursor: z.coerce.number().int().nonnegative().optional(),
  from_step: z.coerce.number().int().nonnegative().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
});

export function apiV1Routes(ops: AgentOperations): Route[] {
  const p = API_PREFIX;
  return [
    route({ method: 'GET', path: `${p}/status`, role: 'viewer', params: none, query: none, handler: () => ops.status() }),
    route({ method: 'GET', path: `${p}/spec`, role: 'viewer', params: none, query: none, handler: () => ops.spec() }),
    route({
      method: 'GET', path: `${p}/populations`, role: 'viewer', params: none, query: none,
      handler: () => {
        const spec = ops.spec();
        const rates = new Map(ops.status().populations.map((r) => [r.id, r]));
        return spec.populations.map((pop) => ({
          id: pop.id, size: pop.size, model: pop.model.type, module: pop.module ?? null,
          rate_hz: rates.get(pop.id)?.rate_hz ?? 0, spikes_total: rates.get(pop.id)?.spikes_total ?? 0,
        }));
      },
    }),
    route({
      method: 'GET', path: `${p}/spikes`, role: 'viewer', params: none, query: SpikesQuery,
      handler: ({ query }) => ops.spikes({ cursor: query.cursor, fromStep: query.from_step, limit: query.limit }),
    }),
    route({ method: 'GET', path: `${p}/inputs`, role: 'viewer', params: none, query: none, handler: () => ops.inputs() }),
    route({
      method: 'PUT', path: `${p}/inputs/:id`, role: 'operator', params: idParam, query: none, body: SetInputBody,
      handler: ({ params, body }) => {
        ops.setInput(params.id, body.value);
        return { id: params.id, value: body.value };
      },
    }),
    route({
      method: 'POST', path: `${p}/spikes`, role: 'operator', params: none, query: none, body: InjectSpikesBody, status: 202,
      handler: ({ body }) => ({ injected: body.neurons.length, ...ops.injectSpikes(body.population, body.neurons) }),
    }),
    route({ method: 'GET', path: `${p}/outputs`, role: 'viewer', params: none, query: none, handler: () => ops.outputs() }),
    route({
      method: 'POST', path: `${p}/reward`, role: 'operator', params: none, query: none, body: RewardBody,
      handler: ({ body, identity }) => ({ amount: body.amount, ...ops.reward(body.amount, identity.actor, body.projection) }),
    }),
    route({
      method: 'GET', path: `${p}/learning`, role: 'viewer', params: none, query: LearningQuery,
      handler: ({ query }) => ops.learning(query.from === undefined ? {} : { from: query.from }),
    }),
    route({
      method: 'GET', path: `${p}/projections/:id/weights`, role: 'viewer', params: idParam, query: WeightsQuery,
      handler: ({ params, query }) => ops.projectionWeights(params.id, query.limit),
    }),
    route({ method: 'GET', path: `${p}/snapshots`, role: 'viewer', params: none, query: none, handler: () => ops.listSnapshots() }),
    route({
      method: 'POST', path: `${p}/snapshots`, role: 'operator', params: none, query: none, body: none.optional(), status: 201,
      handler: ({ identity }) => ops.createSnapshot(identity.actor),
    }),
    route({
      method: 'POST', path: `${p}/snapshots/:id/restore`, role: 'admin', params: numericId, query: none, body: none.optional(),
      handler: async ({ params, identity }) => ({ snapshot: params.id, ...(await ops.restoreSnapshot(params.id, identity.actor)) }),
    }),
    route({ method: 'GET', path: `${p}/config`, role: 'admin', params: none, query: none, handler: () => ops.effectiveConfig() }),
    route({ method: 'GET', path: `${p}/tokens`, role: 'admin', params: none, query: none, handler: () => ops.tokens.list() }),
    route({
      method: 'POST', path: `${p}/tokens`, role: 'admin', params: none, query: none, body: CreateTokenBody, status: 201,
      handler: ({ body, identity }) => {
        const created = ops.tokens.create({ name: body.name, role: body.role, ...(body.expires_in_s === undefined ? {} : { expiresAt: Date.now() + body.expires_in_s * 1000 }) });
        ops.audit.append({ actor: identity.actor, action: 'token.create', target: created.info.id, details: { role: body.role, name: body.name } });
        return { token: created.token, ...created.info };
      },
    }),
    route({
      method: 'DELETE', path: `${p}/tokens/:id`, role: 'admin', params: idParam, query: none,
      handler: ({ params, identity }) => {
        if (!ops.tokens.revoke(params.id)) throw apiError('E_TOKEN_NOT_FOUND', `no active token "${params.id}"`, { path: 'id' });
        ops.audit.append({ actor: identity.actor, action: 'token.revoke', target: params.id });
        return { revoked: params.id };
      },
    }),
  ];
}
