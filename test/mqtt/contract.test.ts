// Contract units: topic tree, ACL rules, signatures, replay guard, bundles, backoff.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deviceMayPublish, deviceMaySubscribe } from '../../agent/contract/acl.ts';
import { buildBundle, chunkBytes, chunkMatches, openBundle } from '../../agent/contract/bundle.ts';
import { generateSigningKeyPem, hasValidSignature, loadSigningKeys, ReplayGuard, signedBytes, signPayload } from '../../agent/contract/signing.ts';
import { deviceTopics, parseTopic } from '../../agent/contract/topics.ts';
import { createBackoff } from '../../agent/mqtt/backoff.ts';
import { snapshotOf, TINY_SPEC, variantSpec } from './fixtures/sim-control.ts';

describe('topics', () => {
  it('builds every topic of a device under hasn/v1/<id> and parses them back', () => {
    const t = deviceTopics('pi-kitchen-01');
    expect(t.status).toBe('hasn/v1/pi-kitchen-01/status');
    expect(parseTopic(t.cmd('set-backend'))).toEqual({ deviceId: 'pi-kitchen-01', kind: 'cmd', name: 'set-backend' });
    expect(parseTopic(t.deployChunk('d_1', 12))).toEqual({ deviceId: 'pi-kitchen-01', kind: 'deploy-chunk', transferId: 'd_1', index: 12 });
    expect(parseTopic(t.response('fleet_ab'))).toEqual({ deviceId: 'pi-kitchen-01', kind: 'response', requester: 'fleet_ab' });
    expect(parseTopic(t.configDesired)).toEqual({ deviceId: 'pi-kitchen-01', kind: 'config/desired' });
  });

  it('refuses ids that could escape the subtree and parses nothing outside the tree', () => {
    expect(() => deviceTopics('a/b')).toThrow(/device id/);
    expect(() => deviceTopics('+')).toThrow(/device id/);
    expect(() => deviceTopics('x').cmd('status')).toThrow(/device id/);
    for (const topic of ['hasn/v2/dev-a/status', 'hasn/v1/DEV/status', 'hasn/v1/dev-a/status/x', 'hasn/v1/dev-a/deploy/d/01', 'hasn/v1/dev-a/cmd/Bad']) {
      expect(parseTopic(topic)).toBeUndefined();
    }
  });
});

describe('ACL rules', () => {
  it('lets a device publish only its dev→ topics and subscribe only its →dev topics', () => {
    expect(deviceMayPublish('dev-a', 'hasn/v1/dev-a/telemetry')).toBe(true);
    expect(deviceMayPublish('dev-a', 'hasn/v1/dev-a/response/fleet_1')).toBe(true);
    expect(deviceMayPublish('dev-a', 'hasn/v1/dev-b/telemetry')).toBe(false);
    expect(deviceMayPublish('dev-a', 'hasn/v1/dev-a/config/desired')).toBe(false);
    expect(deviceMayPublish('dev-a', 'hasn/v1/dev-a/cmd/restart')).toBe(false);
    expect(deviceMaySubscribe('dev-a', 'hasn/v1/dev-a/cmd/+')).toBe(true);
    expect(deviceMaySubscribe('dev-a', 'hasn/v1/dev-a/deploy/+/+')).toBe(true);
    expect(deviceMaySubscribe('dev-a', 'hasn/v1/dev-b/cmd/+')).toBe(false);
    expect(deviceMaySubscribe('dev-a', 'hasn/v1/+/cmd/+')).toBe(false);
    expect(deviceMaySubscribe('dev-a', 'hasn/v1/dev-a/#')).toBe(false);
    expect(deviceMaySubscribe('dev-a', '#')).toBe(false);
  });
});

describe('signatures', () => {
  const keys = loadSigningKeys(generateSigningKeyPem().privatePem);

  it('signs "hasn-sig-v1\\n<topic>\\n<canonical JSON without signature>" and verifies whatever the key order', () => {
    const signed = signPayload('hasn/v1/dev-a/cmd/reward', { correlationId: 'c1', responseTopic: 'r', args: { value: 1, b: [1, 2] } }, keys, { now: 1000 });
    expect(signedBytes('t', { b: 1, a: { d: 2, c: 1 }, signature: 'x' }).toString()).toBe('hasn-sig-v1\nt\n{"a":{"c":1,"d":2},"b":1}');
    const reordered = JSON.parse(JSON.stringify({ signature: signed.signature, auth: signed.auth, args: { b: [1, 2], value: 1 }, responseTopic: 'r', correlationId: 'c1' }));
    expect(hasValidSignature('hasn/v1/dev-a/cmd/reward', reordered, keys.publicKey)).toBe(true);
    expect(hasValidSignature('hasn/v1/dev-b/cmd/reward', reordered, keys.publicKey)).toBe(false);
    expect(hasValidSignature('hasn/v1/dev-a/cmd/reward', { ...reordered, args: { b: [1, 2], value: 2 } }, keys.publicKey)).toBe(false);
    const other = loadSigningKeys(generateSigningKeyPem().privatePem);
    expect(hasValidSignature('hasn/v1/dev-a/cmd/reward', reordered, other.publicKey)).toBe(false);
  });

  it('never throws on garbage', () => {
    fc.assert(fc.property(fc.anything(), (value) => hasValidSignature('t', value, keys.publicKey) === false));
  });

  it('replay guard: refuses repeats, expired, future-dated, pre-start and over-long messages', () => {
    let now = 1_000_000;
    const guard = new ReplayGuard({ now: () => now, skewMs: 1000, maxTtlMs: 60_000 });
    const auth = { issuedAt: now, expiresAt: now + 30_000, nonce: 'abcdefghijklmnop' };
    guard.admit(auth);
    expect(() => guard.admit(auth)).toThrow(expect.objectContaining({ code: 'E_SIGNATURE_REPLAY' }));
    expect(() => guard.admit({ ...auth, nonce: 'x'.repeat(16), issuedAt: now - 5000, expiresAt: now - 2000 })).toThrow(expect.objectContaining({ code: 'E_SIGNATURE_EXPIRED' }));
    expect(() => guard.admit({ ...auth, nonce: 'y'.repeat(16), issuedAt: now + 5000, expiresAt: now + 6000 })).toThrow(expect.objectContaining({ code: 'E_SIGNATURE_EXPIRED' }));
    expect(() => guard.admit({ ...auth, nonce: 'z'.repeat(16), expiresAt: now + 120_000 })).toThrow(expect.objectContaining({ code: 'E_SIGNATURE_TTL' }));
    expect(() => guard.admit({ issuedAt: now, nonce: 'w'.repeat(16) })).toThrow(expect.objectContaining({ code: 'E_SIGNATURE_TTL' }));
    now += 10_000;
    expect(() => guard.admit({ issuedAt: 1_000_000 - 2000, expiresAt: now + 1000, nonce: 'v'.repeat(16) })).toThrow(expect.objectContaining({ code: 'E_SIGNATURE_REPLAY' }));
  });
});

describe('bundles', () => {
  it('packs spec + snapshot, checks each chunk and the whole, and unpacks the same brain', () => {
    const bundle = buildBundle({ spec: TINY_SPEC, snapshot: snapshotOf(TINY_SPEC, 7) }, 100);
    expect(bundle.manifest.chunks).toHaveLength(Math.ceil(bundle.manifest.size / 100));
    for (let i = 0; i < bundle.manifest.chunks.length; i++) expect(chunkMatches(bundle.manifest, i, chunkBytes(bundle.manifest, bundle.blob, i))).toBe(true);
    const tampered = Buffer.from(chunkBytes(bundle.manifest, bundle.blob, 0));
    tampered[3] ^= 1;
    expect(chunkMatches(bundle.manifest, 0, tampered)).toBe(false);
    expect(openBundle(bundle.manifest, bundle.blob).snapshot).toEqual(snapshotOf(TINY_SPEC, 7));
    const corrupted = Buffer.from(bundle.blob);
    corrupted[corrupted.length - 1] ^= 1;
    expect(() => openBundle(bundle.manifest, corrupted)).toThrow(expect.objectContaining({ code: 'E_BUNDLE_HASH' }));
  });

  it('refuses a snapshot taken of another network', () => {
    expect(() => buildBundle({ spec: TINY_SPEC, snapshot: snapshotOf(variantSpec(99)) })).toThrow(expect.objectContaining({ code: 'E_BUNDLE_SNAPSHOT_MISMATCH' }));
  });

  it('carries a spec without a snapshot', () => {
    const bundle = buildBundle({ spec: TINY_SPEC, snapshot: null });
    expect(bundle.manifest).toMatchObject({ snapshotBytes: 0, snapshotSha256: null });
    expect(openBundle(bundle.manifest, bundle.blob).snapshot).toBeNull();
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter in the upper half, caps, and resets', () => {
    const low = createBackoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    expect([low.next(), low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 400, 500, 500]);
    low.reset();
    expect(low.next()).toBe(50);
    const high = createBackoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([100, 200, 400, 800, 1000]);
    expect(() => createBackoff({ initialMs: 0, maxMs: 10 })).toThrow(/backoff/);
  });
});
