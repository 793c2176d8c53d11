// openStore: creates its directory and file, migrates, keeps data across reopen, and checks integrity.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, STORE_FILE_NAME, openStore } from '../../agent/store/index.ts';
import { tempDir } from './store-fixture.ts';

describe('openStore', () => {
  it('creates a missing directory and a migrated database file in it', () => {
    const dir = join(tempDir(), 'var', 'lib', 'hasn');
    const store = openStore(dir);
    try {
      expect(store.path).toBe(join(dir, STORE_FILE_NAME));
      expect(existsSync(store.path)).toBe(true);
      expect(store.migration).toMatchObject({ from: 0, to: LATEST_SCHEMA_VERSION });
      expect(store.checkIntegrity()).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('keeps every store’s data across close and reopen', () => {
    const dir = tempDir();
    const first = openStore(dir);
    first.config.record({ config: { a: 1 }, source: 'file', status: 'applied' });
    first.snapshots.save(new Uint8Array([1, 2, 3]), { specHash: 's', step: 9, reason: 'shutdown' });
    first.outbox.enqueue({ kind: 'event', topic: 't', qos: 1, json: { e: 1 } });
    first.audit.append({ actor: 'system', action: 'agent.stop' });
    const { token } = first.tokens.create({ name: 'ci', role: 'admin' });
    first.close();
    const second = openStore(dir);
    try {
      expect(second.migration.applied).toEqual([]);
      expect(second.config.current()?.json).toBe('{"a":1}');
      expect(second.snapshots.latestValid().snapshot?.step).toBe(9);
      expect(second.outbox.depth().event).toBe(1);
      expect(second.audit.list()[0].action).toBe('agent.stop');
      expect(second.tokens.verify(token)?.role).toBe('admin');
    } finally {
      second.close();
    }
  });

  it('close is safe to call twice', () => {
    const store = openStore(tempDir());
    store.close();
    expect(() => store.close()).not.toThrow();
  });
});
