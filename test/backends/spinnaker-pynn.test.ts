// PyNN export: the script's content, and the script run on pyNN.brian2 (Debian python3-pynn + python3-brian) against the CPU engine.
//
// Tolerances, measured on these networks (1 s, dt 0.1 ms):
//   frozen Poisson input (HASN's own spike trains fed to SpikeSourceArray): the network on Brian2 is ours
//     synapse for synapse, so spikes are identical until float32 (ours) and float64 (Brian2) rounding first moves a
//     spike by one step (329 ms into CUBA; none in 400 ms of COBA); rates then stay within 0.6 %. Test: ≥ 99 %
//     identical spikes in the first 100 ms, rates within 2 %.
//   native Poisson input (Brian2's PoissonGroup) into PyNN's standard Izhikevich (voltage-step synapses, a
//     documented non-identical realisation of our exponential-current Izhikevich): measured +5.4 % with frozen
//     input; different Poisson draws add up to ±7 % (measured on the CUBA fixture over 3 seeds). Test: within 12 %.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { ReferenceEngine } from '../../core/engine/engine.ts';
import { spinnakerBackend } from '../../drivers/backends/spinnaker/index.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { cpuRun, drivenNetwork, rateHz, spec } from './fixtures/spinnaker/networks.ts';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3'; // Debian's python3 has pyNN; a pyenv python3 may come first on PATH
const STEPS = 10_000;

interface PynnResult {
  simulator: string;
  populations: Record<string, { size: number; spikes: number; rate_hz: number }>;
  spikes?: Record<string, [number, number][]>;
}

async function exportTo(s: NetworkSpec, opts: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hasn-pynn-'));
  await spinnakerBackend.compile(s, { mode: 'export', outDir: dir, durationMs: STEPS * s.dt_ms, ...opts });
  return dir;
}

async function runOnBrian2(dir: string, args: string[]): Promise<PynnResult> {
  const out = join(dir, 'result.json');
  await run(PYTHON, [join(dir, 'pynn_network.py'), '--simulator', 'brian2', '--out', out, ...args], { timeout: 280_000, maxBuffer: 1 << 24 });
  return JSON.parse(await readFile(out, 'utf8')) as PynnResult;
}

/** Reads an .npy file written by the exporter (float64, 2-D). */
function parseNpy(bytes: Buffer): { shape: number[]; data: Float64Array } {
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  expect((10 + headerLength) % 64).toBe(0);
  expect(header).toContain("'descr': '<f8'");
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').filter((x) => x.trim() !== '').map(Number);
  const body = bytes.subarray(10 + headerLength);
  return { shape, data: new Float64Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)) };
}

describe('PyNN export: content', () => {
  it('writes the network itself: one explicit synapse list per projection, weights ≥ 0 in PyNN units, delays in ms', async () => {
    const s = drivenNetwork('cuba');
    const dir = await exportTo(s);
    const script = await readFile(join(dir, 'pynn_network.py'), 'utf8');
    expect(script).toContain('sim.IF_curr_exp(**p)');
    expect(script).toContain('sim.FromListConnector(conn, column_names=["weight", "delay"])');
    expect(script).toMatch(/"model":"lif","params":\{"cm":1,"tau_m":20,"v_rest":-60,"v_reset":-60,"v_thresh":-50,"tau_refrac":5,"tau_syn_E":5,"tau_syn_I":10,"i_offset":0\}/);
    const net = compileNetwork(s);
    let total = 0;
    for (const [k, proj] of s.projections.entries()) {
      const { shape, data } = parseNpy(await readFile(join(dir, 'pynn_data', `projection_${k}.npy`)));
      expect(shape[1]).toBe(4);
      total += shape[0]!;
      const weight = proj.weight as number;
      for (let r = 0; r < shape[0]!; r++) {
        expect(data[4 * r + 2]).toBeCloseTo(weight, 6); // the sign is applied by the script, per receptor and model
        expect(data[4 * r + 3]).toBeCloseTo(0.1, 9);
      }
    }
    expect(total).toBe(net.synapseCount);
    const files = await readdir(join(dir, 'pynn_data'));
    expect(files).toContain('population_1_v.npy'); // per-neuron initial v drawn from the spec's uniform distribution
  });

  it('compiles with python3 -m py_compile', async () => {
    const dir = await exportTo(drivenNetwork('coba'));
    await run(PYTHON, ['-m', 'py_compile', join(dir, 'pynn_network.py')]);
  });
});

describe('PyNN export run on pyNN.brian2', () => {
  it('reproduces the CPU engine spike for spike (frozen input): CUBA and COBA, then rates within 2 %', async () => {
    const cases = await Promise.all((['cuba', 'coba'] as const).map(async (kind) => {
      const s = drivenNetwork(kind);
      const dir = await exportTo(s, { frozenPoissonMs: STEPS * s.dt_ms });
      const brian = await runOnBrian2(dir, ['--poisson', 'frozen', '--record-spikes']);
      return { kind, s, brian, cpu: cpuRun(s, STEPS) };
    }));
    for (const { kind, s, brian, cpu } of cases) {
      expect(brian.simulator).toBe('brian2');
      const early = (key: string): boolean => +key.split(':')[2]! < 1000;
      const theirs = new Set<string>();
      for (const [id, list] of Object.entries(brian.spikes!)) for (const [n, t] of list) theirs.add(`${id}:${n}:${Math.round(t / s.dt_ms)}`);
      const ours = [...cpu.spikes].filter(early);
      const identical = ours.filter((k) => theirs.has(k)).length;
      expect(ours.length, kind).toBeGreaterThan(500);
      expect(identical / ours.length, kind).toBeGreaterThanOrEqual(0.99);
      expect([...theirs].filter(early).length / ours.length, kind).toBeCloseTo(1, 1);
      for (const pop of s.populations) {
        const reference = rateHz(cpu.counts.get(pop.id)!, pop.size, STEPS, s.dt_ms);
        expect(Math.abs(brian.populations[pop.id]!.rate_hz / reference - 1), `${kind} ${pop.id}`).toBeLessThan(0.02);
      }
    }
  }, 300_000);

  it('runs native Poisson sources into PyNN Izhikevich neurons at the CPU engine rate within 12 %', async () => {
    const s = spec({
      name: 'izhikevich-driven', dt_ms: 0.1, seed: 1,
      populations: [
        { id: 'drive', size: 200, model: { type: 'poisson', rate_hz: 20 } },
        { id: 'rs', size: 100, model: { type: 'izhikevich', a: 0.02, b: 0.2, c_mV: -65, d: 8, i_offset: 4, tau_syn_e_ms: 2, tau_syn_i_ms: 2 } },
      ],
      projections: [{ id: 'drive_rs', source: 'drive', target: 'rs', connector: { type: 'fixed_probability', p: 0.1 }, weight: 2 }],
    });
    const dir = await exportTo(s);
    const brian = await runOnBrian2(dir, ['--seed', '3']);
    const cpu = cpuRun(s, STEPS);
    const reference = rateHz(cpu.counts.get('rs')!, 100, STEPS, 0.1);
    expect(reference).toBeGreaterThan(5);
    expect(Math.abs(brian.populations.rs!.rate_hz / reference - 1)).toBeLessThan(0.12);
    expect(Math.abs(brian.populations.drive!.rate_hz / 20 - 1)).toBeLessThan(0.05);
  }, 300_000);

  it('feeds --inputs spike times to spike_source populations with the same timing as injected spikes on the CPU', async () => {
    const s = spec({
      name: 'inputs', dt_ms: 0.1,
      populations: [
        { id: 'in', size: 10, model: { type: 'spike_source' } },
        { id: 'out', size: 5, model: { type: 'lif', tau_refrac_ms: 2, tau_syn_e_ms: 2 } },
      ],
      projections: [{ id: 'in_out', source: 'in', target: 'out', connector: { type: 'all_to_all' }, weight: 1.5, delay_ms: 0.5 }],
    });
    // neuron k fires every (20 + k) steps
    const schedule: number[][] = Array.from({ length: 10 }, (_, k) => Array.from({ length: Math.floor(2000 / (20 + k)) }, (_, j) => j * (20 + k)));
    const dir = await exportTo(s);
    await writeFile(join(dir, 'inputs.json'), JSON.stringify({ in: schedule.map((steps) => steps.map((n) => n * 0.1)) }));
    const brian = await runOnBrian2(dir, ['--inputs', join(dir, 'inputs.json'), '--duration', '200', '--record-spikes']);
    const net = compileNetwork(s);
    const engine = new ReferenceEngine(net);
    const ours: string[] = [];
    for (let step = 0; step < 2000; step++) {
      engine.inject(schedule.flatMap((steps, k) => (steps.includes(step) ? [k] : [])));
      engine.run(1, (st, list, count) => { for (let j = 0; j < count; j++) if (list[j]! >= 10) ours.push(`${list[j]! - 10}:${st}`); });
    }
    const theirs = brian.spikes!.out!.map(([n, t]) => `${n}:${Math.round(t / 0.1)}`);
    expect(ours.length).toBeGreaterThan(50);
    expect(theirs.sort()).toEqual(ours.sort());
  }, 300_000);
});
