// Enrollment input of install.sh: the key=value file, command-line precedence, and errors that say what to do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Sandbox, makeEnrollmentFiles, makeFixtureApp } from './sandbox.ts';

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of sandboxes.splice(0)) sandbox.dispose();
});

function setup() {
  const sandbox = new Sandbox();
  sandboxes.push(sandbox);
  const app = makeFixtureApp(join(sandbox.dir, 'app'), '1.0.0');
  const enrollDir = join(sandbox.dir, 'enroll');
  const files = makeEnrollmentFiles(enrollDir);
  return { sandbox, app, files, enrollDir };
}

describe('install.sh: enrollment', () => {
  it('an enrollment file gives the same agent.yaml as the equivalent options, with paths relative to the file', () => {
    const viaFile = setup();
    writeFileSync(
      join(viaFile.enrollDir, 'enroll.env'),
      [
        '# device pi-01',
        'device_id=pi-01',
        'mqtt_url = "mqtts://broker.example:8883"',
        "mqtt_username='pi-01'",
        'mqtt_password_file=mqtt-password',
        'ca_file=ca.crt',
        'controller_public_key_file=controller.pub',
        '',
      ].join('\r\n'),
    );
    expect(viaFile.sandbox.run('install', ['--source', viaFile.app, '--enroll', join(viaFile.enrollDir, 'enroll.env')]).code).toBe(0);

    const viaOptions = setup();
    const f = viaOptions.files;
    const options = ['--device-id', 'pi-01', '--mqtt-url', 'mqtts://broker.example:8883', '--mqtt-username', 'pi-01', '--mqtt-password-file', f.password, '--ca-file', f.ca, '--controller-key', f.controllerKey];
    expect(viaOptions.sandbox.run('install', ['--source', viaOptions.app, ...options]).code).toBe(0);

    for (const file of ['etc/hasn/agent.yaml', 'etc/hasn/ca.crt', 'etc/hasn/mqtt-password', 'etc/hasn/controller.pub']) {
      expect(viaFile.sandbox.read(file)).toBe(viaOptions.sandbox.read(file));
    }
  });

  it('command-line options win over the enrollment file', () => {
    const { sandbox, app, enrollDir } = setup();
    writeFileSync(join(enrollDir, 'enroll.env'), 'device_id=pi-01\nmqtt_url=mqtt://a:1883\n');
    const result = sandbox.run('install', ['--source', app, '--enroll', join(enrollDir, 'enroll.env'), '--device-id', 'pi-99']);
    expect(result.code).toBe(0);
    expect(sandbox.read('etc/hasn/agent.yaml')).toContain('id: "pi-99"');
    expect(sandbox.read('etc/hasn/agent.yaml')).toContain('url: "mqtt://a:1883"');
  });

  it('accepts --opt=value as well as --opt value', () => {
    const { sandbox, app } = setup();
    expect(sandbox.run('install', [`--source=${app}`, '--device-id=pi-01', '--mqtt-url=mqtt://a:1883', '--http-port=9090']).code).toBe(0);
    expect(sandbox.read('etc/hasn/agent.yaml')).toContain('port: 9090');
  });

  const usageErrors: Array<[string, string[], string]> = [
    ['a device id outside [a-z0-9-]{3,64}', ['--device-id', 'Pi_01', '--mqtt-url', 'mqtt://a:1883'], "device id 'Pi_01' must be 3-64 characters"],
    ['a broker URL without an MQTT scheme', ['--device-id', 'pi-01', '--mqtt-url', 'http://a'], "broker URL 'http://a' must start with mqtt://"],
    ['no enrollment on the first install', [], 'first install of an agent needs enrollment'],
    ['an unknown option', ['--device-id', 'pi-01', '--frobnicate'], 'unknown option: --frobnicate'],
    ['an option without its value', ['--device-id'], '--device-id needs a value'],
    ['an HTTP port out of range', ['--device-id', 'pi-01', '--mqtt-url', 'mqtt://a:1883', '--http-port', '70000'], "HTTP port '70000' must be a number"],
    ['an unknown --role', ['--role', 'toaster'], '--role must be agent, fleet or both'],
    ['a fleet role without its configuration', ['--role', 'fleet'], 'the fleet controller needs its configuration'],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`rejects ${what} with exit 2 and a hint, changing nothing`, () => {
      const { sandbox, app } = setup();
      const result = sandbox.run('install', ['--source', app, ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('what to do: ');
      expect(sandbox.exists('opt/hasn')).toBe(false);
      expect(sandbox.calls().filter((call) => call.tool !== 'node')).toEqual([]);
    });
  }

  it('rejects a CA file that is not PEM and an unknown key in the enrollment file, naming file and line', () => {
    const { sandbox, app, enrollDir } = setup();
    writeFileSync(join(enrollDir, 'not-a-cert'), 'hello\n');
    const badCa = sandbox.run('install', ['--source', app, '--device-id', 'pi-01', '--mqtt-url', 'mqtt://a:1883', '--ca-file', join(enrollDir, 'not-a-cert')]);
    expect(badCa.code).toBe(2);
    expect(badCa.stderr).toContain('is not a PEM certificate');

    writeFileSync(join(enrollDir, 'enroll.env'), 'device_id=pi-01\n\nmqtt_passwd=oops\n');
    const badKey = sandbox.run('install', ['--source', app, '--enroll', join(enrollDir, 'enroll.env')]);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain(`${join(enrollDir, 'enroll.env')}:3: unknown key 'mqtt_passwd'`);
  });

  it('a controller host (--role fleet) gets the fleet unit and its configuration, without device groups', () => {
    const { sandbox, app, enrollDir } = setup();
    mkdirSync(enrollDir, { recursive: true });
    writeFileSync(join(enrollDir, 'fleet.yaml'), 'broker: mqtt://localhost:1883\n');
    const result = sandbox.run('install', ['--source', app, '--role', 'fleet', '--fleet-config', join(enrollDir, 'fleet.yaml')]);
    expect(result.code).toBe(0);
    expect(sandbox.read('etc/hasn/fleet.yaml')).toBe('broker: mqtt://localhost:1883\n');
    expect(sandbox.exists('etc/systemd/system/hasn-fleet.service')).toBe(true);
    expect(sandbox.exists('etc/systemd/system/hasn-agent.service')).toBe(false);
    expect(sandbox.exists('var/lib/hasn-fleet')).toBe(true);
    expect(sandbox.calls('groupadd')).toEqual([]);
    expect(sandbox.commandLines('systemctl')).toEqual([`systemctl --root=${sandbox.root} enable hasn-fleet.service`]);
  });
});
