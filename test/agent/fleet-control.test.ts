// The real agent's AgentControl (agent/fleet-control.ts) passes the contract the simulated agent passes, and records what it does.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBundle, openBundle } from '../../agent/contract/bundle.ts';
import type { AgentContext } from '../../agent/extensions.ts';
import { fleetControlFor } from '../../agent/fleet-control.ts';
import { storedBrainFile } from '../../agent/brain/brain-source.ts';
import { agentControlContract } from '../mqtt/contracts/agent-control.contract.ts';
import { TINY_SPEC, snapshotOf, variantSpec } from '../mqtt/fixtures/sim-control.ts';
import type { AgentConfig } from '../../agent/config/schema.ts';
import { startTestAgent, tempDir, testConfig, waitFor } from './helpers.ts';

async function realControl() {
  const dir = tempDir('hasn-fleet-control-');
  const specFile = join(dir.path, 'tiny.json');
  writeFileSync(specFile, JSON.stringify(TINY_SPEC));
  const config = testConfig(join(dir.path, 'data'), { brain: { spec: specFile }, http: { enabled: false } });
  // The control is made from the agent's extension context, as fleetLinkExtension makes it.
  let context: AgentContext | undefined;
  const capture = { name: 'capture', start: async (c: AgentContext) => void (context = c), stop: async () => {} };
  const started = await startTestAgent(config, { extensions: [capture] });
  const control = fleetControlFor(started.agent, { settleMs: 50 })(context!);
  return {
    control, agent: started.agent, store: context!.store, dataDir: config.data_dir, deviceId: config.device.id,
    cleanup: async () => {
      await started.stop();
      dir.remove();
    },
  };
}

agentControlContract('the real agent', realControl);

/** An agent on `config` and the AgentControl the fleet link would make for it. */
async function agentWithControl(config: AgentConfig) {
  let context: AgentContext | undefined;
  const capture = { name: 'capture', start: async (c: AgentContext) => void (context = c), stop: async () => {} };
  const started = await startTestAgent(config, { extensions: [capture] });
  return { agent: started.agent, control: fleetControlFor(started.agent, { settleMs: 50 })(context!), stop: started.stop };
}

describe('FleetAgentControl on the real agent', () => {
  it('stores a deployed spec as the brain the next start runs and audits deploy and rollback', async () => {
    const { control, store, dataDir, cleanup } = await realControl();
    try {
      const bundle = buildBundle({ spec: variantSpec(77), snapshot: snapshotOf(variantSpec(77), 5) });
      await control.deploy('dep-77', openBundle(bundle.manifest, bundle.blob));
      expect(JSON.parse(readFileSync(storedBrainFile(dataDir), 'utf8')).name).toBe('tiny-77');
      expect(control.describe().brain).toMatchObject({ name: 'tiny-77', deployId: 'dep-77' });
      await control.rollbackBrain();
      expect(existsSync(storedBrainFile(dataDir))).toBe(false);
      const actions = store.audit.list({ actor: 'fleet' }).map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['brain.deploy', 'brain.rollback']));
    } finally {
      await cleanup();
    }
  });

  it('refuses a config that does not fit the running brain and keeps the brain running', async () => {
    const { control, agent, cleanup } = await realControl();
    try {
      const before = control.describe().brain?.specHash;
      const result = await control.applyConfig({ version: 60, config: { device: { id: 'test-agent' }, sensors: [{ id: 'x', channel: 'nowhere', source: { type: 'sim', signal: { type: 'sine' } } }] } });
      expect(result).toMatchObject({ applied: false, error: { code: 'E_CONFIG_INVALID', path: 'sensors[0].channel' } });
      expect(control.describe().brain?.specHash).toBe(before);
      expect(agent.status().state).toBe('running');
    } finally {
      await cleanup();
    }
  });

  it('records fleet config versions: applied, rejected, and rolled back when the agent is not healthy', async () => {
    const { control, store, cleanup } = await realControl();
    try {
      await control.applyConfig({ version: 70, config: { device: { id: 'test-agent' } } });
      expect(store.config.get(70)).toMatchObject({ source: 'fleet', status: 'applied' });
      await control.applyConfig({ version: 71, config: { device: { id: 'test-agent' }, engine: { tick_ms: 'x' } } });
      expect(store.config.get(71)).toMatchObject({ source: 'fleet', status: 'rejected' });
      const result = await control.applyConfig({ version: 72, config: { device: { id: 'test-agent' }, backend: 'loihi' } });
      expect(result).toMatchObject({ applied: false, rolledBack: true, error: { code: 'E_CONFIG_UNHEALTHY' } });
      expect(store.config.get(72)).toMatchObject({ status: 'rolled_back' });
      expect(control.describe().configVersion).toBe(70);
      expect(control.health()).toMatchObject({ state: 'online', backend: 'cpu' });
      const actions = store.audit.list({ actor: 'fleet' }).map((r) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['config.apply', 'config.reject', 'config.rollback']));
    } finally {
      await cleanup();
    }
  });

  it('restarts the brain from its current state and refuses a backend this build cannot run', async () => {
    const { control, agent, cleanup } = await realControl();
    try {
      const stepBefore = agent.runtime.brain!.step;
      await control.restart();
      expect(agent.runtime.brain!.startStep).toBeGreaterThanOrEqual(stepBefore);
      expect(await control.setBackend('akida')).toMatchObject({ backend: 'cpu', fallbackReason: expect.stringContaining('akida') });
      expect(control.health().state).toBe('online');
      await expect(control.setBackend('gpu')).rejects.toMatchObject({ code: 'E_BACKEND_UNKNOWN' });
    } finally {
      await cleanup();
    }
  });
});

describe('a deployed brain across restarts', () => {
  it('runs again after a restart although the config names brain.spec, resuming from its own snapshot; a fleet config naming a brain.spec replaces it for good', async () => {
    const dir = tempDir('hasn-fleet-restart-');
    try {
      const specFile = join(dir.path, 'tiny.json');
      writeFileSync(specFile, JSON.stringify(TINY_SPEC));
      const config = testConfig(join(dir.path, 'data'), { brain: { spec: specFile }, http: { enabled: false } });
      const stored = storedBrainFile(config.data_dir);

      const first = await agentWithControl(config);
      const bundle = buildBundle({ spec: variantSpec(78), snapshot: snapshotOf(variantSpec(78), 5) });
      await first.control.deploy('dep-78', openBundle(bundle.manifest, bundle.blob));
      await waitFor(() => first.agent.status().brain!.step > 100, 5000, 'the deployed brain to run');
      await first.stop();

      const second = await agentWithControl(config);
      try {
        expect(second.agent.status().brain).toMatchObject({ name: 'tiny-78', file: stored, restored_from: { snapshot: expect.any(Number), step: expect.any(Number) } });
        expect(second.agent.status().brain!.restored_from!.step).toBeGreaterThan(100);
        const otherSpec = join(dir.path, 'tiny-79.json');
        writeFileSync(otherSpec, JSON.stringify(variantSpec(79)));
        expect(await second.control.applyConfig({ version: 90, config: { device: { id: 'test-agent' }, brain: { spec: otherSpec } } })).toMatchObject({ applied: true });
        expect(second.agent.status().brain!.name).toBe('tiny-79');
        expect(existsSync(stored)).toBe(false);
      } finally {
        await second.stop();
      }

      // No deployed brain left: the next start runs the local config's brain.
      const third = await agentWithControl(config);
      expect(third.agent.status().brain!.name).toBe('tiny');
      await third.stop();
    } finally {
      dir.remove();
    }
  });

  it('falls back to brain.spec when the deployed brain is unusable', async () => {
    const dir = tempDir('hasn-fleet-broken-');
    try {
      const specFile = join(dir.path, 'tiny.json');
      writeFileSync(specFile, JSON.stringify(TINY_SPEC));
      const config = testConfig(join(dir.path, 'data'), { brain: { spec: specFile }, http: { enabled: false } });
      mkdirSync(join(config.data_dir, 'brain'), { recursive: true });
      writeFileSync(storedBrainFile(config.data_dir), '{"version": 1, "name": ');
      const started = await startTestAgent(config, { captureLog: true });
      expect(started.agent.status().brain!.name).toBe('tiny');
      expect(started.lines.some((l) => String(l.msg).includes('the deployed brain is unusable'))).toBe(true);
      await started.stop();
    } finally {
      dir.remove();
    }
  });
});

describe('FleetAgentControl and the local version history', () => {
  it('applies a fleet version whose number the local file config already holds, without recording over it', async () => {
    const { control, store, cleanup } = await realControl();
    try {
      const local = store.config.current()!;
      expect(local.source).toBe('file');
      const result = await control.applyConfig({ version: local.version, config: { device: { id: 'test-agent' } } });
      expect(result).toMatchObject({ applied: true });
      expect(control.describe().configVersion).toBe(local.version);
      expect(store.config.get(local.version)).toMatchObject({ source: 'file', json: local.json });
    } finally {
      await cleanup();
    }
  });
});
