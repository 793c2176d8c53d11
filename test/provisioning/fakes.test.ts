// The fakes the provisioning tests rely on: systemctl's offline mode matches the real one; account tools cannot escape.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO, Sandbox } from './sandbox.ts';
import { snapshotTree } from './tree.ts';

const sandboxes: Sandbox[] = [];
afterEach(() => {
  for (const sandbox of sandboxes.splice(0)) sandbox.dispose();
});

describe('fake systemctl --root', () => {
  it('enable and disable leave the same tree as the real systemctl in offline --root mode', () => {
    const sandbox = new Sandbox();
    sandboxes.push(sandbox);
    const roots = { real: join(sandbox.dir, 'real-root'), fake: join(sandbox.dir, 'fake-root') };
    for (const root of Object.values(roots)) {
      mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
      copyFileSync(join(REPO, 'systemd/hasn-agent.service'), join(root, 'etc/systemd/system/hasn-agent.service'));
    }
    const run = (which: 'real' | 'fake', verb: string) => {
      const command = which === 'real' ? 'systemctl' : join(sandbox.bin, 'systemctl');
      const env = which === 'real' ? process.env : sandbox.env();
      const result = spawnSync(command, [`--root=${roots[which]}`, verb, 'hasn-agent.service'], { env, encoding: 'utf8' });
      expect(result.status, `${which} systemctl ${verb}: ${result.stderr}`).toBe(0);
    };
    for (const verb of ['enable', 'disable']) {
      run('real', verb);
      run('fake', verb);
      expect(snapshotTree(roots.fake, { times: false }), verb).toEqual(snapshotTree(roots.real, { times: false }));
    }
  });
});

describe('fake account tools', () => {
  for (const tool of ['useradd', 'groupadd', 'usermod', 'userdel', 'groupdel']) {
    it(`${tool} refuses to run without --prefix, so a test can never edit the real /etc`, () => {
      const sandbox = new Sandbox();
      sandboxes.push(sandbox);
      const result = spawnSync(join(sandbox.bin, tool), ['--system', 'hasn'], { env: sandbox.env(), encoding: 'utf8' });
      expect(result.status).toBe(97);
      expect(result.stderr).toContain('refusing to run without --prefix');
    });
  }
});
