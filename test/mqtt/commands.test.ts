// Commands as request/response over aedes: JSON correlation, signatures, replay and expiry, response-topic confinement.
import { describe, expect, it } from 'vitest';
import { CommandResponse } from '../../agent/contract/commands.ts';
import { EventPayload } from '../../agent/contract/messages.ts';
import { signPayload } from '../../agent/contract/signing.ts';
import { broker, controllerKeys, device, probe } from './fixtures/link-fixture.ts';
import type { Probe } from './fixtures/probe.ts';
import { eventually } from './fixtures/probe.ts';

const CMD = (name: string): string => `hasn/v1/dev-a/cmd/${name}`;
const RESPONSES = 'hasn/v1/dev-a/response/fleet_test';

let counter = 0;
async function request(p: Probe, name: string, body: Record<string, unknown>, sign: boolean | { now?: number; ttlMs?: number } = true): Promise<CommandResponse> {
  const correlationId = `c-${++counter}`;
  const unsigned = { correlationId, responseTopic: RESPONSES, ...body };
  const payload = sign === false ? unsigned : signPayload(CMD(name), unsigned, controllerKeys(), sign === true ? {} : sign);
  await p.publishJson(CMD(name), payload);
  return CommandResponse.parse((await p.waitFor((m) => m.topic === RESPONSES && (m.json as { correlationId?: string }).correlationId === correlationId)).json);
}

async function ready(): Promise<{ p: Probe; dev: ReturnType<typeof device> }> {
  const b = await broker();
  const dev = device(b.url);
  const p = await probe(b.url, ['hasn/v1/+/response/+', 'hasn/v1/+/events', 'hasn/v1/+/birth']);
  await p.waitFor((m) => m.topic.endsWith('/birth'));
  return { p, dev };
}

describe('fleet commands', () => {
  it('answers an unsigned status request with the device status, on the response topic from the payload', async () => {
    const { p, dev } = await ready();
    const response = await request(p, 'status', {}, false);
    expect(response.ok).toBe(true);
    expect(response.ok && response.result).toMatchObject({ status: { state: 'online', bootId: dev.bootId }, describe: { version: '0.1.0-sim' } });
  });

  it('refuses an unsigned state-changing command with E_SIGNATURE_MISSING and an error event, and does not run it', async () => {
    const { p, dev } = await ready();
    const response = await request(p, 'reward', { args: { value: 1 } }, false);
    expect(response).toMatchObject({ ok: false, error: { code: 'E_SIGNATURE_MISSING' } });
    expect(dev.control.rewards).toEqual([]);
    const event = EventPayload.parse((await p.waitFor((m) => m.topic.endsWith('/events') && (m.json as EventPayload).type === 'message.rejected')).json);
    expect(event.data).toMatchObject({ topic: CMD('reward'), error: { code: 'E_SIGNATURE_MISSING' } });
  });

  it('runs signed commands: reward, snapshot, restore, set-backend, restart, rollback', async () => {
    const { p, dev } = await ready();
    expect(await request(p, 'reward', { args: { value: 0.5, projection: 'in_out' } })).toMatchObject({ ok: true });
    expect(dev.control.rewards).toEqual([{ value: 0.5, projection: 'in_out' }]);
    const snap = await request(p, 'snapshot', {});
    expect(snap).toMatchObject({ ok: true, result: { id: 1 } });
    expect(await request(p, 'restore', { args: { snapshotId: 1 } })).toMatchObject({ ok: true });
    expect(await request(p, 'set-backend', { args: { backend: 'akida' } })).toMatchObject({ ok: true, result: { backend: 'cpu', fallbackReason: expect.stringMatching(/akida/) } });
    expect(await request(p, 'restart', {})).toMatchObject({ ok: true, result: { restarting: true } });
    expect(dev.control.restarts).toBe(1);
    expect(await request(p, 'rollback', {})).toMatchObject({ ok: false, error: { code: 'E_NO_PREVIOUS_BRAIN' } });
    const audit = dev.store.audit.list({ target: 'dev-a' }).map((r) => r.action);
    expect(audit).toEqual(expect.arrayContaining(['cmd.reward', 'cmd.snapshot', 'cmd.restore', 'cmd.set-backend', 'cmd.restart']));
  });

  it('refuses a replayed signed command, an expired one, one signed for another command, and bad arguments', async () => {
    const { p, dev } = await ready();
    const signed = signPayload(CMD('reward'), { correlationId: 'replay-1', responseTopic: RESPONSES, args: { value: 2 } }, controllerKeys());
    await p.publishJson(CMD('reward'), signed);
    await p.waitFor((m) => (m.json as { correlationId?: string }).correlationId === 'replay-1');
    await p.publishJson(CMD('reward'), signed);
    await eventually(() => p.seen.filter((m) => (m.json as { correlationId?: string }).correlationId === 'replay-1').length === 2, 5000, 'the replay answer');
    const answers = p.seen.filter((m) => (m.json as { correlationId?: string }).correlationId === 'replay-1').map((m) => CommandResponse.parse(m.json));
    expect(answers[1]).toMatchObject({ ok: false, error: { code: 'E_SIGNATURE_REPLAY' } });
    expect(dev.control.rewards).toEqual([{ value: 2 }]);

    expect(await request(p, 'reward', { args: { value: 3 } }, { now: Date.now() - 10 * 60_000, ttlMs: 60_000 })).toMatchObject({ ok: false, error: { code: 'E_SIGNATURE_EXPIRED' } });
    // Signed for `snapshot`, sent to `reward`: the topic is part of what is signed.
    const forOther = signPayload(CMD('snapshot'), { correlationId: 'other-1', responseTopic: RESPONSES, args: { value: 4 } }, controllerKeys());
    await p.publishJson(CMD('reward'), forOther);
    const other = CommandResponse.parse((await p.waitFor((m) => (m.json as { correlationId?: string }).correlationId === 'other-1')).json);
    expect(other).toMatchObject({ ok: false, error: { code: 'E_SIGNATURE_INVALID' } });
    expect(await request(p, 'reward', { args: { value: 'lots' } })).toMatchObject({ ok: false, error: { code: 'E_COMMAND_ARGS' } });
    expect(await request(p, 'self-destruct', {})).toMatchObject({ ok: false, error: { code: 'E_COMMAND_UNKNOWN' } });
    expect(dev.control.rewards).toEqual([{ value: 2 }]);
  });

  it('refuses a request whose response topic lies outside its own subtree, with an error event and no response', async () => {
    const { p } = await ready();
    await p.publishJson(CMD('status'), { correlationId: 'escape-1', responseTopic: 'hasn/v1/dev-b/response/fleet_test' });
    const event = EventPayload.parse((await p.waitFor((m) => m.topic.endsWith('/events') && (m.json as EventPayload).type === 'message.rejected')).json);
    expect(event.data).toMatchObject({ error: { code: 'E_COMMAND_RESPONSE_TOPIC' } });
    expect(p.seen.some((m) => (m.json as { correlationId?: string }).correlationId === 'escape-1')).toBe(false);
  });
});
