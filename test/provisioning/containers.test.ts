// Dockerfile, k3s manifests and CI workflow checked without a container engine: parsed for the essentials, and the
// Mosquitto configuration and ACL run in the local mosquitto broker.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO } from './sandbox.ts';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Dockerfile → leading ARGs and stages (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [op = '', ...rest] = line.split(/\s+/);
    const instruction = { op: op.toUpperCase(), args: rest.join(' ') };
    if (instruction.op === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      stages.push({ from: match?.[1] ?? '', name: match?.[2] ?? `#${stages.length}`, instructions: [] });
    } else if (stages.length === 0 && instruction.op === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** A target's instructions including those of the stages it builds FROM, oldest first. */
function lineage(stages: Stage[], name: string): Instruction[] {
  const stage = stages.find((candidate) => candidate.name === name);
  if (stage === undefined) return [];
  return [...lineage(stages, stage.from), ...stage.instructions];
}

const dockerfile = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));

describe('Dockerfile', () => {
  it('is multi-stage on a pinned Node.js 24 base, with no platform hard-coded (buildx picks amd64/arm64)', () => {
    const base = dockerfile.args.get('NODE_IMAGE');
    expect(base).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim$/);
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(['deps', 'runtime', 'fleet', 'agent-sim']);
    expect(dockerfile.stages.filter((stage) => stage.from === '${NODE_IMAGE}').map((stage) => stage.name)).toEqual(['deps', 'runtime']);
    expect(readFileSync(join(REPO, 'Dockerfile'), 'utf8')).not.toMatch(/--platform=(?!\$)/);
  });

  it('installs production dependencies from the lockfile in a build stage, leaving the compiler out of the runtime', () => {
    const deps = lineage(dockerfile.stages, 'deps');
    const copyLock = deps.findIndex((i) => i.op === 'COPY' && i.args.includes('package-lock.json'));
    const ci = deps.findIndex((i) => i.op === 'RUN' && i.args.includes('npm ci --omit=dev'));
    expect(copyLock).toBeGreaterThanOrEqual(0);
    expect(ci).toBeGreaterThan(copyLock);
    expect(lineage(dockerfile.stages, 'runtime').some((i) => i.op === 'RUN' && i.args.includes('g++'))).toBe(false);
  });

  for (const [target, port, command] of [
    ['fleet', 8081, '["fleet", "--config", "/etc/hasn/fleet.yaml"]'],
    ['agent-sim', 8080, '["agent", "--sim"]'],
  ] as const) {
    it(`target ${target} runs as a non-root user with a /healthz HEALTHCHECK on port ${port}`, () => {
      const steps = lineage(dockerfile.stages, target);
      const user = steps.filter((i) => i.op === 'USER').at(-1)?.args;
      expect(user).toBeDefined();
      expect(['root', '0', '0:0']).not.toContain(user);
      const health = steps.filter((i) => i.op === 'HEALTHCHECK').at(-1)?.args ?? '';
      expect(health).toContain(`http://127.0.0.1:${port}/healthz`);
      expect(steps.filter((i) => i.op === 'CMD').at(-1)?.args).toBe(command);
      expect(steps.filter((i) => i.op === 'ENTRYPOINT').at(-1)?.args).toBe('["node", "/opt/hasn/bin/hasn.mjs"]');
    });
  }

  it('.dockerignore keeps local node_modules, VCS and tests out of the build context', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', '.git', 'test', 'dist', 'data']) expect(ignored).toContain(entry);
  });
});

// ------------------------------------------------------------------------------------------------- k3s manifests

const DEPLOY = join(REPO, 'deploy');
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : entry.name.endsWith('.yaml') ? [join(dir, entry.name)] : [],
  );
}
// Manifests are free-form YAML that the checks below walk dynamically.
type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };
const manifests: Manifest[] = yamlFiles(DEPLOY)
  .filter((file) => !file.endsWith('kustomization.yaml'))
  .flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS() as Manifest));
const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name)!;

describe('k3s manifests', () => {
  it('the kustomization lists exactly the manifest files in deploy/', () => {
    const kustomization = parse(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8'));
    const files = yamlFiles(DEPLOY).map((file) => relative(DEPLOY, file)).filter((file) => file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(kustomization.namespace).toBe('hasn');
  });

  it('declare a namespace, the broker and the controller with their config, volumes and services', () => {
    expect(byKind('Namespace').map((m) => m.metadata.name)).toEqual(['hasn']);
    expect(byKind('Deployment').map((m) => m.metadata.name).sort()).toEqual(['hasn-fleet', 'mosquitto']);
    expect(byKind('ConfigMap').map((m) => m.metadata.name).sort()).toEqual(['hasn-fleet-config', 'mosquitto-config']);
    expect(byKind('PersistentVolumeClaim').map((m) => m.metadata.name).sort()).toEqual(['hasn-fleet-data', 'mosquitto-data']);
    expect(byKind('Service').map((m) => m.metadata.name).sort()).toEqual(['hasn-fleet', 'mosquitto', 'mosquitto-devices']);
  });

  for (const name of ['mosquitto', 'hasn-fleet']) {
    it(`${name}: pinned image, probes on declared ports, requests and limits, non-root and read-only root`, () => {
      const deployment = named('Deployment', name);
      const pod = deployment.spec.template.spec;
      expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': name });
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
      for (const container of pod.containers) {
        expect(container.image).toMatch(/^[a-z0-9./-]+:\d+\.\d+\.\d+$/);
        const ports = new Set(container.ports.map((p: { name: string }) => p.name));
        for (const probe of ['livenessProbe', 'readinessProbe']) {
          const port = container[probe].tcpSocket?.port ?? container[probe].httpGet?.port;
          expect(ports.has(port), `${probe} port ${port}`).toBe(true);
        }
        for (const bound of ['requests', 'limits']) {
          expect(container.resources[bound].cpu, bound).toBeDefined();
          expect(container.resources[bound].memory, bound).toBeDefined();
        }
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        for (const mount of container.volumeMounts) {
          expect(pod.volumes.map((v: { name: string }) => v.name)).toContain(mount.name);
        }
      }
    });
  }

  it('every service selects its deployment and targets a named container port', () => {
    for (const service of byKind('Service')) {
      const deployment = byKind('Deployment').find((d) => d.metadata.name === service.spec.selector['app.kubernetes.io/name'])!;
      expect(deployment, service.metadata.name).toBeDefined();
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
      const names = deployment.spec.template.spec.containers.flatMap((c: { ports: { name: string }[] }) => c.ports.map((p) => p.name));
      for (const port of service.spec.ports) expect(names).toContain(port.targetPort);
    }
  });

  it('mounts the Mosquitto config map where mosquitto.conf points, and the controller config at /etc/hasn', () => {
    const broker = named('Deployment', 'mosquitto').spec.template.spec;
    const configVolume = broker.volumes.find((v: { configMap?: { name: string } }) => v.configMap?.name === 'mosquitto-config');
    const mount = broker.containers[0].volumeMounts.find((m: { name: string }) => m.name === configVolume.name);
    expect(mount.mountPath).toBe('/mosquitto/config');
    const conf = named('ConfigMap', 'mosquitto-config').data!['mosquitto.conf']!;
    expect(conf).toContain('acl_file /mosquitto/config/acl');
    expect(conf).toMatch(/^allow_anonymous false$/m);
    const fleet = named('Deployment', 'hasn-fleet').spec.template.spec;
    expect(fleet.containers[0].args).toEqual(['fleet', '--config', '/etc/hasn/fleet.yaml']);
    expect(Object.keys(named('ConfigMap', 'hasn-fleet-config').data!)).toEqual(['fleet.yaml']);
  });
});

// ------------------------------------------------------------------------------------------------- Mosquitto, for real

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

describe('Mosquitto configuration and ACL from deploy/mosquitto/configmap.yaml', () => {
  let dir = '';
  let broker: ChildProcess | undefined;
  let plain = 0;
  let tls = 0;
  const client = (tool: 'mosquitto_pub' | 'mosquitto_sub', args: string[]) => spawnSync(tool, ['-h', '127.0.0.1', ...args], { encoding: 'utf8', timeout: 15_000 });
  const publish = (user: string | null, topic: string, message = 'x', extra: string[] = []) =>
    client('mosquitto_pub', ['-p', String(plain), '-V', 'mqttv5', '-q', '1', ...(user === null ? [] : ['-u', user, '-P', `${user}-pw`]), '-t', topic, '-m', message, ...extra]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hasn-mosquitto-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'data'), { mode: 0o777 });
    chmodSync(join(dir, 'data'), 0o777);
    const data = named('ConfigMap', 'mosquitto-config').data!;
    [plain, tls] = [await freePort(), await freePort()];
    const conf = data['mosquitto.conf']!
      .replace('/mosquitto/secrets/passwords', join(dir, 'passwords'))
      .replace('/mosquitto/config/acl', join(dir, 'acl'))
      .replace('/mosquitto/data/', `${join(dir, 'data')}/`)
      .replaceAll('/mosquitto/tls/', `${dir}/`)
      .replace(/^listener 1883$/m, `listener ${plain} 127.0.0.1`)
      .replace(/^listener 8883$/m, `listener ${tls} 127.0.0.1`);
    writeFileSync(join(dir, 'mosquitto.conf'), conf);
    writeFileSync(join(dir, 'acl'), data.acl!);
    const cert = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')]);
    expect(cert.status).toBe(0);
    for (const [index, user] of ['controller', 'pi-01', 'pi-02'].entries()) {
      expect(spawnSync('mosquitto_passwd', ['-b', ...(index === 0 ? ['-c'] : []), join(dir, 'passwords'), user, `${user}-pw`]).status).toBe(0);
    }
    // mosquitto drops root privileges to its own user, which must still read these.
    for (const file of ['passwords', 'acl', 'mosquitto.conf', 'tls.key', 'tls.crt']) chmodSync(join(dir, file), 0o644);
    broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (let attempt = 0; attempt < 100; attempt++) {
      if (publish('controller', 'hasn/v1/ready').status === 0) return;
      if (broker.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`mosquitto did not start with the deploy/ configuration (exit ${broker.exitCode})`);
  }, 30_000);

  afterAll(() => {
    broker?.kill();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('refuses anonymous clients', () => {
    const result = publish(null, 'hasn/v1/pi-01/status');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/not authori[sz]ed/i);
  });

  it('lets a device publish in its own subtree and refuses another device subtree', () => {
    expect(publish('pi-01', 'hasn/v1/pi-01/status').stderr).toBe('');
    expect(publish('pi-01', 'hasn/v1/pi-02/status').stderr).toContain('Not authorized');
    expect(publish('pi-01', 'hasn/v2/anything').stderr).toContain('Not authorized');
  });

  it('lets the controller write any device desired config and read what devices retained', () => {
    expect(publish('controller', 'hasn/v1/pi-02/config/desired').stderr).toBe('');
    expect(publish('pi-02', 'hasn/v1/pi-02/status', 'online', ['-r']).stderr).toBe('');
    const read = client('mosquitto_sub', ['-p', String(plain), '-u', 'controller', '-P', 'controller-pw', '-t', 'hasn/v1/pi-02/status', '-C', '1', '-W', '10']);
    expect(read.stdout).toBe('online\n');
  });

  it('serves devices over TLS on the second listener', () => {
    const result = client('mosquitto_pub', ['-p', String(tls), '--cafile', join(dir, 'tls.crt'), '-q', '1', '-u', 'pi-01', '-P', 'pi-01-pw', '-t', 'hasn/v1/pi-01/events', '-m', 'x']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

// ------------------------------------------------------------------------------------------------- CI workflow

describe('GitHub Actions workflow', () => {
  const workflow = parse(readFileSync(join(REPO, '.github/workflows/ci.yml'), 'utf8'));

  it('runs the same test line as .ci/run on Node.js 20 and 24', () => {
    const test = workflow.jobs.test;
    expect(test.strategy.matrix.node).toEqual(['20', '24']);
    expect(test.steps.some((step: { run?: string }) => step.run === '.ci/run')).toBe(true);
    const setupNode = test.steps.find((step: { uses?: string }) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode.with['node-version']).toBe('${{ matrix.node }}');
    expect(readFileSync(join(REPO, '.ci/run'), 'utf8')).toContain('npm run setup && npm test');
  });

  it('builds both image targets for linux/amd64 and linux/arm64 without pushing', () => {
    const images = workflow.jobs.images;
    expect(images.strategy.matrix.target).toEqual(['fleet', 'agent-sim']);
    const build = images.steps.find((step: { uses?: string }) => step.uses?.startsWith('docker/build-push-action@'));
    expect(build.with).toMatchObject({ platforms: 'linux/amd64,linux/arm64', push: false, target: '${{ matrix.target }}' });
  });
});
