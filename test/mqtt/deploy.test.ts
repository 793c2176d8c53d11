// Brain deployments and pulls over aedes: signed manifest, chunks checked one by one and as a whole, resume, rollback.
import { describe, expect, it } from 'vitest';
import { buildBundle, chunkBytes, openBundle } from '../../agent/contract/bundle.ts';
import type { Bundle } from '../../agent/contract/bundle.ts';
import { CommandResponse } from '../../agent/contract/commands.ts';
import { EventPayload } from '../../agent/contract/messages.ts';
import { signPayload } from '../../agent/contract/signing.ts';
import { DeployProgress, PullResult } from '../../agent/contract/transfer.ts';
import { specHash } from '../../core/spec/hash.ts';
import { broker, controllerKeys, device, probe } from './fixtures/link-fixture.ts';
import type { Probe } from './fixtures/probe.ts';
import { eventually } from './fixtures/probe.ts';
import { snapshotOf, variantSpec } from './fixtures/sim-control.ts';

const ROOT = 'hasn/v1/dev-a';

function progressOf(p: Probe, deployId: string): DeployProgress[] {
  return p.on('/events')
    .map((m) => EventPayload.parse(m.json))
    .filter((e) => e.type === 'deploy' && (e.data as DeployProgress).deployId === deployId)
    .map((e) => DeployProgress.parse(e.data));
}

/** Plays the controller's part: answers every `receiving` progress with the missing chunks (except `withhold`). */
function serveChunks(p: Probe, deployId: string, bundle: Bundle, options: { withhold?: Set<number>; corrupt?: number } = {}): void {
  p.session.onMessage((message) => {
    if (!message.topic.endsWith('/events')) return;
    const event = JSON.parse(Buffer.from(message.payload).toString('utf8')) as EventPayload;
    const progress = event.data as DeployProgress | undefined;
    if (event.type !== 'deploy' || progress?.deployId !== deployId || progress.state !== 'receiving') return;
    for (const index of progress.missing ?? []) {
      if (options.withhold?.has(index)) continue;
      const bytes = Buffer.from(chunkBytes(bundle.manifest, bundle.blob, index));
      if (options.corrupt === index) bytes[0] ^= 0xff;
      void p.publishJson(`${ROOT}/deploy/${deployId}/${index}`, { id: deployId, index, data: bytes.toString('base64') });
    }
  });
}

function manifestMessage(deployId: string, bundle: Bundle): Record<string, unknown> {
  return signPayload(`${ROOT}/deploy`, { deployId, manifest: bundle.manifest }, controllerKeys());
}

async function setup(): Promise<{ url: string; dev: ReturnType<typeof device>; p: Probe }> {
  const b = await broker();
  const dev = device(b.url);
  const p = await probe(b.url, ['hasn/v1/+/events', 'hasn/v1/+/birth', 'hasn/v1/+/response/+', 'hasn/v1/+/pull/+/+']);
  await p.waitFor((m) => m.topic.endsWith('/birth'));
  return { url: b.url, dev, p };
}

const newBrain = (seed: number, chunkSize = 256): Bundle => buildBundle({ spec: variantSpec(seed), snapshot: snapshotOf(variantSpec(seed), 42), name: `tiny-${seed}` }, chunkSize);

describe('brain deployment', () => {
  it('receives a signed bundle in chunks, verifies it and hands exactly that brain to the agent, keeping the previous one', async () => {
    const { dev, p } = await setup();
    const bundle = newBrain(11);
    expect(bundle.manifest.chunks.length).toBeGreaterThan(3);
    const before = specHash(dev.control.brain.spec);
    serveChunks(p, 'd1', bundle);
    await p.publishJson(`${ROOT}/deploy`, manifestMessage('d1', bundle));
    await eventually(() => progressOf(p, 'd1').some((e) => e.state === 'applied'), 10_000, 'applied');
    expect(progressOf(p, 'd1').map((e) => e.state)).toEqual(['receiving', 'applying', 'applied']);
    expect(specHash(dev.control.brain.spec)).toBe(bundle.manifest.specHash);
    expect(Buffer.from(dev.control.brain.snapshot!).equals(Buffer.from(openBundle(bundle.manifest, bundle.blob).snapshot!))).toBe(true);
    expect(specHash(dev.control.previousBrain!.spec)).toBe(before);
    // The manifest again (a controller retry) is answered with the outcome, not applied twice.
    await p.publishJson(`${ROOT}/deploy`, manifestMessage('d1', bundle));
    await eventually(() => progressOf(p, 'd1').filter((e) => e.state === 'applied').length === 2, 5000, 'repeated outcome');
    expect(dev.link.stats().deploy.applied).toBe(1);
  });

  it('refuses an unsigned manifest and stores nothing', async () => {
    const { dev, p } = await setup();
    const bundle = newBrain(12);
    await p.publishJson(`${ROOT}/deploy`, { deployId: 'd2', manifest: bundle.manifest, auth: { issuedAt: Date.now(), nonce: 'n'.repeat(20) }, signature: 'A'.repeat(86) + '==' });
    await p.waitFor((m) => (m.json as EventPayload).type === 'message.rejected');
    expect(progressOf(p, 'd2')).toEqual([]);
    expect(dev.link.stats().rejectedByCode).toEqual({ E_SIGNATURE_INVALID: 1 });
  });

  it('rejects a chunk that does not match the signed manifest and completes once the right chunk arrives', async () => {
    const { dev, p } = await setup();
    const bundle = newBrain(13);
    serveChunks(p, 'd3', bundle, { corrupt: 1 });
    await p.publishJson(`${ROOT}/deploy`, manifestMessage('d3', bundle));
    await eventually(() => dev.link.stats().rejectedByCode.E_CHUNK_HASH === 1, 5000, 'the bad chunk to be rejected');
    expect(dev.link.stats().deploy.applied).toBe(0);
    await p.publishJson(`${ROOT}/deploy/d3/1`, { id: 'd3', index: 1, data: Buffer.from(chunkBytes(bundle.manifest, bundle.blob, 1)).toString('base64') });
    await eventually(() => progressOf(p, 'd3').some((e) => e.state === 'applied'), 5000, 'applied');
  });

  it('resumes after the agent restarts mid-transfer: only the missing chunks are asked for', async () => {
    const { url, dev, p } = await setup();
    const bundle = newBrain(14);
    const total = bundle.manifest.chunks.length;
    const withhold = new Set([total - 2, total - 1]);
    serveChunks(p, 'd4', bundle, { withhold });
    await p.publishJson(`${ROOT}/deploy`, manifestMessage('d4', bundle));
    await eventually(() => dev.link.stats().deploy.chunksStored === total - 2, 5000, 'the first chunks');
    await dev.link.stop();
    dev.store.close();
    const again = device(url, { dir: dev.dir, control: dev.control });
    const resumed = await p.waitFor((m) => m.topic.endsWith('/birth') && (m.json as { bootId: string }).bootId === again.bootId);
    expect(resumed.json).toMatchObject({ pendingDeploy: { deployId: 'd4', received: total - 2, total } });
    await eventually(() => progressOf(p, 'd4').some((e) => e.state === 'receiving' && e.missing?.join() === [...withhold].join()), 5000, 'a request for the missing chunks');
    withhold.clear();
    for (const index of [total - 2, total - 1]) {
      await p.publishJson(`${ROOT}/deploy/d4/${index}`, { id: 'd4', index, data: Buffer.from(chunkBytes(bundle.manifest, bundle.blob, index)).toString('base64') });
    }
    await eventually(() => progressOf(p, 'd4').some((e) => e.state === 'applied'), 5000, 'applied after resume');
    expect(specHash(again.control.brain.spec)).toBe(bundle.manifest.specHash);
  });

  it('reports a deployment the agent cannot run as failed and keeps the running brain', async () => {
    const { dev, p } = await setup();
    const { HasnError } = await import('../../core/errors.ts');
    dev.control.failDeploys(new HasnError('E_BACKEND_UNAVAILABLE', 'the brain does not fit this backend'));
    const before = specHash(dev.control.brain.spec);
    const bundle = newBrain(15);
    serveChunks(p, 'd5', bundle);
    await p.publishJson(`${ROOT}/deploy`, manifestMessage('d5', bundle));
    await eventually(() => progressOf(p, 'd5').some((e) => e.state === 'failed'), 5000, 'failed');
    expect(progressOf(p, 'd5').at(-1)?.error).toMatchObject({ code: 'E_BACKEND_UNAVAILABLE' });
    expect(specHash(dev.control.brain.spec)).toBe(before);
  });

  it('sends the running brain on a signed pull, as chunks that reassemble into a verified bundle; re-sends chosen chunks', async () => {
    const { dev, p } = await setup();
    const topic = `${ROOT}/cmd/pull`;
    const responseTopic = `${ROOT}/response/fleet_test`;
    await p.publishJson(topic, signPayload(topic, { correlationId: 'pull-1', responseTopic, args: { pullId: 'p1' } }, controllerKeys()));
    const response = CommandResponse.parse((await p.waitFor((m) => (m.json as { correlationId?: string }).correlationId === 'pull-1')).json);
    if (!response.ok) throw new Error(response.error.message);
    const { manifest } = PullResult.parse(response.result);
    await eventually(() => p.on('').filter((m) => m.topic.includes('/pull/p1/')).length === manifest.chunks.length, 5000, 'every chunk');
    const chunks = p.seen.filter((m) => m.topic.includes('/pull/p1/')).map((m) => m.json as { index: number; data: string }).sort((a, b) => a.index - b.index);
    const brain = openBundle(manifest, Buffer.concat(chunks.map((c) => Buffer.from(c.data, 'base64'))));
    expect(specHash(brain.spec)).toBe(specHash(dev.control.brain.spec));
    expect(brain.snapshot).not.toBeNull();
    await p.publishJson(topic, signPayload(topic, { correlationId: 'pull-2', responseTopic, args: { pullId: 'p1', chunks: [0] } }, controllerKeys()));
    const again = CommandResponse.parse((await p.waitFor((m) => (m.json as { correlationId?: string }).correlationId === 'pull-2')).json);
    expect(again).toMatchObject({ ok: true, result: { resent: 1 } });
    await eventually(() => p.seen.filter((m) => m.topic === `${ROOT}/pull/p1/0`).length === 2, 5000, 'the re-sent chunk');
  });
});
