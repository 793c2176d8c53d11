// Where install.sh gets Node.js: Debian's nodejs when it fits the engines range, NodeSource 24 only when asked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, Sandbox, makeFixtureApp } from './sandbox.ts';

const NODESOURCE_FINGERPRINT = '6F71F525282841EEDAF851B42F59B5F99B1BE0B4';
const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of sandboxes.splice(0)) sandbox.dispose();
});

function setup(options: { nodeVersion?: string | null; nodeHeaders?: boolean } = {}) {
  const sandbox = new Sandbox(options);
  sandboxes.push(sandbox);
  const app = makeFixtureApp(join(sandbox.dir, 'app'), '1.0.0');
  return { sandbox, args: ['--source', app, '--device-id', 'pi-01', '--mqtt-url', 'mqtt://broker:1883'] };
}

describe('install.sh: Node.js', () => {
  it('the supported range in lib/node.sh is the engines range of package.json', () => {
    const engines = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).engines.node as string;
    const lib = readFileSync(join(REPO, 'provisioning/lib/node.sh'), 'utf8');
    const value = (name: string) => lib.match(new RegExp(`^readonly ${name}=(\\d+)$`, 'm'))?.[1];
    expect(engines).toBe(`>=${value('NODE_MIN_MAJOR')}.${value('NODE_MIN_MINOR')} <${Number(value('NODE_MAX_MAJOR')) + 1}`);
  });

  it('keeps a Node.js 24 that is already there and installs nothing', () => {
    const { sandbox, args } = setup({ nodeVersion: 'v24.11.1' });
    const result = sandbox.run('install', args);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Node.js v24.11.1 is supported (>=20.19 <25)');
    expect(sandbox.commandLines('apt-get').filter((line) => line.includes('nodejs'))).toEqual([]);
  });

  it("without Node.js installs Debian's nodejs from apt, accepts 20.19+ and warns that 24 LTS is what devices should run", () => {
    const { sandbox, args } = setup({ nodeVersion: null });
    const result = sandbox.run('install', args, { FAKE_APT_NODEJS: 'v20.19.2' });
    expect(result.code).toBe(0);
    expect(sandbox.commandLines('apt-get').slice(0, 2)).toEqual(['apt-get update -q', 'apt-get install -y -q --no-install-recommends nodejs']);
    expect(result.stderr).toContain('Node.js 20 is past end of life; devices should run 24 LTS (--node-source nodesource)');
  });

  it("installs Debian's node headers (libnode-dev) when native addons must compile and the headers are missing", () => {
    const { sandbox, args } = setup({ nodeVersion: 'v20.19.2', nodeHeaders: false });
    expect(sandbox.run('install', args).code).toBe(0);
    expect(sandbox.commandLines('apt-get')).toContain('apt-get install -y -q --no-install-recommends libnode-dev');
  });

  it("fails with exit 4 when Debian's nodejs is older than 20.19, pointing to --node-source nodesource", () => {
    const { sandbox, args } = setup({ nodeVersion: null });
    const result = sandbox.run('install', args, { FAKE_APT_NODEJS: 'v18.19.0' });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('the installed Node.js is v18.19.0; HASN needs >=20.19 <25');
    expect(result.stderr).toContain('what to do: re-run with --node-source nodesource');
    expect(sandbox.exists('opt/hasn')).toBe(false);
  });

  it('rejects a Node.js newer than the engines range (25) with exit 4 under --node-source none, installing nothing', () => {
    const { sandbox, args } = setup({ nodeVersion: 'v25.1.0' });
    const result = sandbox.run('install', [...args, '--node-source', 'none']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Node.js v25.1.0 is outside >=20.19 <25');
    expect(sandbox.calls('apt-get')).toEqual([]);
  });

  it('--node-source nodesource adds the repository with the pinned key, installs Node.js 24, and is idempotent', () => {
    const { sandbox, args } = setup({ nodeVersion: 'v20.19.2' });
    const env = { FAKE_GPG_FINGERPRINT: NODESOURCE_FINGERPRINT, FAKE_APT_NODEJS: 'v24.11.1' };
    const result = sandbox.run('install', [...args, '--node-source', 'nodesource'], env);
    expect(result.code).toBe(0);
    const curl = sandbox.calls('curl');
    expect(curl).toHaveLength(1);
    expect(curl[0]!.args.slice(0, 4)).toEqual(['-fsSL', '--proto', '=https', '--tlsv1.2']);
    expect(curl[0]!.args.at(-1)).toBe('https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key');
    expect(sandbox.read('etc/apt/keyrings/nodesource.gpg')).toBe('dearmored:fake key downloaded by curl\n');
    expect(sandbox.read('etc/apt/sources.list.d/nodesource.sources')).toBe(
      'Types: deb\nURIs: https://deb.nodesource.com/node_24.x\nSuites: nodistro\nComponents: main\nSigned-By: /etc/apt/keyrings/nodesource.gpg\n',
    );
    expect(sandbox.read('etc/apt/preferences.d/nodesource')).toBe('Package: nodejs\nPin: origin deb.nodesource.com\nPin-Priority: 600\n');
    expect(sandbox.commandLines('apt-get').slice(0, 2)).toEqual(['apt-get update -q', 'apt-get install -y -q --no-install-recommends nodejs']);
    expect(sandbox.read('etc/hasn/installed-by-hasn')).toContain('nodesource-repo\n');

    sandbox.clearCalls();
    const again = sandbox.run('install', [...args, '--node-source', 'nodesource'], env);
    expect(again.stdout).toContain('(0 changes)');
    expect(sandbox.calls('curl')).toEqual([]);
    expect(sandbox.calls('apt-get')).toEqual([]);
  });

  it('refuses a NodeSource key with another fingerprint (exit 4) and trusts nothing', () => {
    const { sandbox, args } = setup({ nodeVersion: 'v20.19.2' });
    const result = sandbox.run('install', [...args, '--node-source', 'nodesource'], { FAKE_GPG_FINGERPRINT: 'AAAA0000BBBB1111CCCC2222DDDD3333EEEE4444' });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`expected ${NODESOURCE_FINGERPRINT}; not trusting it`);
    expect(sandbox.exists('etc/apt/keyrings/nodesource.gpg')).toBe(false);
    expect(sandbox.exists('etc/apt/sources.list.d/nodesource.sources')).toBe(false);
    expect(sandbox.calls('apt-get')).toEqual([]);
  });

  it('--node-source none never installs Node.js: a missing one fails with exit 4', () => {
    const { sandbox, args } = setup({ nodeVersion: null });
    const result = sandbox.run('install', [...args, '--node-source', 'none']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('Node.js is not installed');
    expect(sandbox.calls('apt-get')).toEqual([]);
  });

  it('an apt failure ends with exit 4 and says what to do', () => {
    const { sandbox, args } = setup({ nodeVersion: null });
    const result = sandbox.run('install', args, { FAKE_APT_FAIL: '1' });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('apt-get update failed');
    expect(result.stderr).toContain('what to do:');
  });
});
