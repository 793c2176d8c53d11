// The agent config: defaults, the provisioning file, layers (file < env < flags), every error with its path, the JSON Schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envOverrides } from '../../agent/config/env-overrides.ts';
import { agentConfigJsonSchemaText } from '../../agent/config/json-schema.ts';
import { loadConfig, mergeLayers, resolveConfig } from '../../agent/config/load.ts';
import { AgentConfig } from '../../agent/config/schema.ts';
import { SENSORIMOTOR_SPEC } from '../../agent/config/simulation.ts';
import { checkConfigFile } from '../../cli/commands/agent.ts';
import { SENSORIMOTOR, tempDir } from './helpers.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir('hasn-config-');
});
afterEach(() => dir.remove());

function write(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

/** Exactly what provisioning/lib/agent-config.sh renders (all optional keys present). */
const PROVISIONED = `# HASN agent configuration, written by provisioning/install.sh.
device:
  id: "pi-kitchen-01"
data_dir: "/var/lib/hasn"
mqtt:
  url: "mqtts://broker.example:8883"
  ca_file: "/etc/hasn/ca.crt"
  username: "pi-kitchen-01"
  password_file: "/etc/hasn/mqtt-password"
  controller_public_key_file: "/etc/hasn/controller.pub"
http:
  host: "127.0.0.1"
  port: 8080
brain:
  spec: "/etc/hasn/brain.json"
backend: "cpu"
`;

describe('agent config', () => {
  it('accepts the file provisioning writes, key for key', () => {
    const result = resolveConfig({ file: write('agent.yaml', PROVISIONED) });
    expect(result.issues).toEqual([]);
    expect(result.config).toMatchObject({
      device: { id: 'pi-kitchen-01' },
      data_dir: '/var/lib/hasn',
      mqtt: { url: 'mqtts://broker.example:8883', ca_file: '/etc/hasn/ca.crt', username: 'pi-kitchen-01', password_file: '/etc/hasn/mqtt-password', controller_public_key_file: '/etc/hasn/controller.pub' },
      http: { host: '127.0.0.1', port: 8080 },
      brain: { spec: '/etc/hasn/brain.json' },
      backend: 'cpu',
    });
  });

  it('fills every default from the schema when only the device id is given', () => {
    const config = AgentConfig.parse({ device: { id: 'pi-01' } });
    expect(config.data_dir).toBe('/var/lib/hasn');
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 8080, enabled: true, dashboard: true, cors: { origins: [] } });
    expect(config.engine).toMatchObject({ workers: 0, tick_ms: 10, speed: 1 });
    expect(config.snapshots).toMatchObject({ interval_s: 300, on_shutdown: true, restore_on_start: true, keep_last: 5 });
    expect(config.sensors).toEqual([]);
    expect(config.backend).toBe('cpu');
    expect(config.mqtt).toBeUndefined();
  });

  it('lists every problem with its path, not only the first', () => {
    const file = write('bad.yaml', `
device: { id: "Not A Valid Id" }
http: { port: 70000, bogus: 1 }
backend: tpu
sensors:
  - id: light
    source: { type: i2c, address: 300, register: 1 }
  - id: button
    source: { type: gpio }
`);
    const result = resolveConfig({ file });
    expect(result.ok).toBe(false);
    const byPath = Object.fromEntries(result.issues.map((i) => [i.path, i.code]));
    expect(byPath).toMatchObject({
      'device.id': 'E_CONFIG_FORMAT',
      'http.port': 'E_CONFIG_RANGE',
      'http': 'E_CONFIG_UNKNOWN_KEY',
      'backend': 'E_CONFIG_VALUE',
      'sensors[0].source.address': 'E_CONFIG_RANGE',
      'sensors[1].source.line': 'E_CONFIG_REQUIRED',
    });
  });

  it('reports YAML syntax errors with line and column', () => {
    const file = write('broken.yaml', 'device:\n  id: "x\nhttp: [\n');
    const result = resolveConfig({ file });
    expect(result.ok).toBe(false);
    expect(result.issues[0]!.code).toBe('E_CONFIG_YAML');
    expect(result.issues[0]!.path).toMatch(/broken\.yaml:\d+:\d+$/);
  });

  it('names a missing file and explains where a config comes from when there is none', () => {
    expect(resolveConfig({ file: join(dir.path, 'absent.yaml') }).issues[0]!.code).toBe('E_CONFIG_FILE_MISSING');
    const none = resolveConfig({ file: undefined, env: {} });
    if (none.ok) return; // a real /etc/hasn/agent.yaml on this machine would make this case moot
    expect(none.issues.map((i) => i.code)).toContain('E_CONFIG_NO_FILE');
  });

  it('layers env over the file and flags over env, naming the variable at fault', () => {
    const file = write('agent.yaml', PROVISIONED);
    const env = { HASN_HTTP__PORT: '8081', HASN_DATA_DIR: '/tmp/from-env', HASN_TEST_SERIAL: '/dev/ttyUSB0', PATH: '/bin' };
    const layered = loadConfig({ file, env, flags: { data_dir: '/tmp/from-flag' } }).config;
    expect(layered.http.port).toBe(8081);
    expect(layered.data_dir).toBe('/tmp/from-flag');
    const bad = resolveConfig({ file, env: { HASN_HTTP__PORT: 'eighty' } });
    expect(bad.issues).toEqual([expect.objectContaining({ path: 'http.port', code: 'E_CONFIG_TYPE', message: expect.stringContaining('HASN_HTTP__PORT') })]);
  });

  it('reads env values as YAML scalars and ignores HASN_ variables that are not config keys', () => {
    const { values } = envOverrides({ HASN_SIMULATION: 'true', HASN_ENGINE__SPEED: '2.5', HASN_SENSORS: '[]', HASN_TEST_I2C: '1', HASN_DEVICE__ID: 'pi-9' }, Object.keys(AgentConfig.shape));
    expect(values).toEqual({ simulation: true, engine: { speed: 2.5 }, sensors: [], device: { id: 'pi-9' } });
  });

  it('merges objects key by key and replaces lists', () => {
    expect(mergeLayers({ a: { x: 1, y: 2 }, l: [1, 2] }, { a: { y: 3 }, l: [9] })).toEqual({ a: { x: 1, y: 3 }, l: [9] });
  });

  it('runs the sensorimotor example with simulated sensors and a reward rule under --sim', () => {
    const config = loadConfig({ simulation: true, env: {} }).config;
    expect(config.simulation).toBe(true);
    expect(config.data_dir).toBe('./data');
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(config.brain.spec).toBe(SENSORIMOTOR_SPEC);
    expect(config.sensors.map((s) => s.id)).toEqual(['light_left', 'light_right', 'proximity']);
    expect(config.reward.rules).toHaveLength(1);
  });

  it('lets --http-port and --data-dir (or HASN_HTTP__PORT / HASN_DATA_DIR) move a sim agent aside', () => {
    const byFlags = loadConfig({ simulation: true, env: {}, flags: { http: { port: 8181 }, data_dir: '/tmp/agent-b' } }).config;
    expect([byFlags.http.port, byFlags.data_dir]).toEqual([8181, '/tmp/agent-b']);
    const byEnv = loadConfig({ simulation: true, env: { HASN_HTTP__PORT: '8282', HASN_DATA_DIR: '/tmp/agent-c' } }).config;
    expect([byEnv.http.port, byEnv.data_dir]).toEqual([8282, '/tmp/agent-c']);
  });

  it('keeps the committed JSON Schema identical to the one generated from the zod schema', () => {
    const committed = readFileSync(new URL('../../agent/config/agent-config.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(agentConfigJsonSchemaText());
  });
});

describe('hasn config check', () => {
  it('passes a config whose sensors and actuators fit its brain', () => {
    const file = write('ok.yaml', `
device: { id: pi-01 }
brain: { spec: ${JSON.stringify(SENSORIMOTOR)} }
sensors:
  - { id: light_left, source: { type: i2c, address: 0x48, register: 0 } }
actuators:
  - { id: left_motor, sink: steer, active_when: { equals: 0 }, target: { type: gpio, line: 17 } }
`);
    expect(checkConfigFile(file).issues).toEqual([]);
  });

  it('finds channels, sinks and rule outputs the brain does not have, and duplicate ids', () => {
    const file = write('mismatch.yaml', `
device: { id: pi-01 }
brain: { spec: ${JSON.stringify(SENSORIMOTOR)} }
sensors:
  - { id: thermometer, source: { type: i2c, address: 0x48, register: 0 } }
  - { id: thermometer, channel: light_left, source: { type: gpio, line: 4 } }
actuators:
  - { id: pump, target: { type: gpio, line: 17 } }
reward:
  rules: [{ type: argmax, output: nothing, sensors: [thermometer, nobody] }]
`);
    const issues = checkConfigFile(file).issues;
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual(expect.arrayContaining([
      'E_CONFIG_DUPLICATE_ID sensors[1].id',
      'E_CONFIG_UNKNOWN_CHANNEL sensors[0].channel',
      'E_CONFIG_UNKNOWN_SINK actuators[0].sink',
      'E_CONFIG_UNKNOWN_OUTPUT reward.rules[0].output',
      'E_CONFIG_UNKNOWN_SENSOR reward.rules[0].sensors[1]',
    ]));
  });

  it('reports the problems of the brain spec the config names, under brain.spec', () => {
    const spec = write('brain.json', JSON.stringify({ version: 1, name: 'x', populations: [{ id: 'a', size: 0, model: { type: 'lif' } }] }));
    const file = write('agent.yaml', `device: { id: pi-01 }\nbrain: { spec: ${JSON.stringify(spec)} }\n`);
    const issues = checkConfigFile(file).issues;
    expect(issues).toEqual([expect.objectContaining({ code: 'E_SPEC_RANGE', path: 'brain.spec → populations[0].size' })]);
  });
});
