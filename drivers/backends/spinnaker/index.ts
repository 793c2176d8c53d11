// The SpiNNaker backend: near-exact s16.15 emulation of sPyNNaker, machine mapping, and PyNN script export.
//
// Honest claim: `emulate` reproduces sPyNNaker's fixed-point neuron and synapse updates near-exactly (see
// emulator.ts, params.ts, synapses.ts for what differs); it is not a SpiNNaker board. `export` writes a PyNN
// script that runs on pyNN.spiNNaker and, here, on pyNN.brian2. `hardware` is not driven by this adapter:
// with sPyNNaker and a board, run the exported script with `--simulator spiNNaker`.
import { existsSync } from 'node:fs';
import { compileNetwork } from '../../../core/compile/compile.ts';
import { HasnError } from '../../../core/errors.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { probePython } from '../python-probe.ts';
import type { Artifact, Backend, BackendSession, BackendStatus, CompileOptions, OpenOptions, Violation } from '../types.ts';
import { checkSpinnaker } from './check.ts';
import type { SpinnakerPlan } from './emulator.ts';
import { exportPynn } from './export.ts';
import { mappingReport, mapToMachine, NEURONS_PER_CORE } from './mapping.ts';
import { fixedModel } from './params.ts';
import { SpinnakerSession } from './session.ts';
import { buildSynapses } from './synapses.ts';

export interface SpinnakerBackendOptions {
  /** Python interpreter asked about sPyNNaker/PyNN (default: $HASN_PYTHON, else /usr/bin/python3, where Debian's pyNN lives). */
  python?: string;
}

function defaultPython(): string {
  return process.env.HASN_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

function numberOption(opts: CompileOptions, name: string): number | undefined {
  const value = opts[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0)) throw new HasnError('E_BACKEND_OPTION', `option ${name} must be a positive number, got ${String(value)}`, { path: name });
  return value;
}

export function createSpinnakerBackend(options: SpinnakerBackendOptions = {}): Backend {
  const python = options.python ?? defaultPython();
  return {
    id: 'spinnaker',

    async probe(): Promise<BackendStatus> {
      const probe = await probePython(['spynnaker', 'pyNN'], python);
      const reasons: string[] = [];
      const spynnaker = probe.modules.spynnaker;
      if (spynnaker === null || spynnaker === undefined) {
        reasons.push(`hardware: python module spynnaker not importable with ${python} (${probe.errors.spynnaker ?? 'not reported'}); no SpiNNaker board can be reached`);
      } else {
        reasons.push(`hardware: sPyNNaker ${spynnaker} is importable, but this adapter drives boards only through the exported script (--simulator spiNNaker, board configured in ~/.spynnaker.cfg)`);
      }
      const pyNN = probe.modules.pyNN;
      if (pyNN === null || pyNN === undefined) reasons.push(`export: files can be written, but pyNN is not importable with ${python} to run them here (${probe.errors.pyNN ?? 'not reported'})`);
      const versions: Record<string, string> = {};
      if (probe.python) versions.python = probe.python;
      for (const [name, version] of Object.entries(probe.modules)) if (version !== null) versions[name] = version;
      return { id: 'spinnaker', modes: ['emulate', 'export'], versions, reasons };
    },

    check(spec: NetworkSpec): Violation[] {
      return checkSpinnaker(spec);
    },

    async compile(spec: NetworkSpec, opts: CompileOptions): Promise<Artifact> {
      if (opts.mode === 'hardware') {
        throw new HasnError('E_BACKEND_UNAVAILABLE', 'spinnaker: hardware mode is not driven by this adapter; compile with mode "export" and run the script with --simulator spiNNaker', { path: 'mode' });
      }
      const violations = checkSpinnaker(spec);
      if (violations.length > 0) {
        throw new HasnError('E_BACKEND_UNSUPPORTED', `spinnaker cannot run this network: ${violations.map((v) => v.code).join(', ')}`, { issues: violations });
      }
      const neuronsPerCore = numberOption(opts, 'neuronsPerCore') ?? NEURONS_PER_CORE;
      const net = compileNetwork(spec);
      const models = net.populations.map((pop) => fixedModel(pop, spec.dt_ms));
      const synapses = buildSynapses(net, models);
      const maxOutgoing = new Map<string, number>();
      for (let s = 0; s < net.populations.length; s++) {
        const pop = net.populations[s]!;
        let max = 0;
        for (let i = pop.offset; i < pop.offset + pop.size; i++) {
          for (let j = synapses.rowPtr[i]!; j < synapses.rowPtr[i + 1]!; j++) if (synapses.delay[j]! > max) max = synapses.delay[j]!;
        }
        maxOutgoing.set(pop.id, max);
      }
      const mapping = mapToMachine(spec, maxOutgoing, neuronsPerCore);
      const report = mappingReport(mapping, net.neuronCount, net.synapseCount, synapses.maxRelativeWeightError, neuronsPerCore);
      report.notes.push('emulate: near-exact model of sPyNNaker s16.15 arithmetic (host-precomputed decay factors, 16-bit weights); not a board');
      let files: string[] = [];
      if (opts.mode === 'export') {
        if (typeof opts.outDir !== 'string' || opts.outDir === '') throw new HasnError('E_BACKEND_OPTION', 'export needs outDir', { path: 'outDir' });
        files = await exportPynn(net, opts.outDir, { durationMs: numberOption(opts, 'durationMs'), frozenPoissonMs: numberOption(opts, 'frozenPoissonMs') });
        report.notes.push(`export: ${files.length} file(s); run with /usr/bin/python3 pynn_network.py --simulator brian2|spiNNaker`);
      }
      const plan: SpinnakerPlan = { net, models, synapses };
      return { backend: 'spinnaker', mode: opts.mode, spec, report, files, payload: plan };
    },

    async open(artifact: Artifact, opts: OpenOptions = {}): Promise<BackendSession> {
      if (artifact.backend !== 'spinnaker' || artifact.mode !== 'emulate') {
        throw new HasnError('E_BACKEND_MODE', `spinnaker opens artifacts compiled with mode "emulate" (got ${artifact.backend}/${artifact.mode})`, { path: 'mode' });
      }
      return new SpinnakerSession(artifact.payload as SpinnakerPlan, opts.snapshot);
    },
  };
}

export const spinnakerBackend: Backend = createSpinnakerBackend();
