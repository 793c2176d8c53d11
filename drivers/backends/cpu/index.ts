// The cpu backend: our own float32 engine on this machine's processor (in the caller's thread or worker threads); always available.
import { availableParallelism } from 'node:os';
import { compileNetwork } from '../../../core/compile/compile.ts';
import { HasnError } from '../../../core/errors.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import type { Artifact, Backend, BackendSession, BackendStatus, CompileOptions, OpenOptions } from '../types.ts';
import { checkCpu } from './check.ts';
import { CpuSession } from './session.ts';

interface CpuPayload {
  workers: number;
}

/** Worker threads: 0 runs the engine in the caller's thread (the default); N ≥ 1 uses N threads and N partitions. */
function workerCount(requested: unknown): number {
  if (requested === undefined) return 0;
  if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 0 || requested > 255) {
    throw new HasnError('E_BACKEND_OPTION', `workers must be an integer from 0 (in this thread) to 255, got ${String(requested)}`, { path: 'workers' });
  }
  return requested;
}

export const cpuBackend: Backend = {
  id: 'cpu',

  async probe(): Promise<BackendStatus> {
    return {
      id: 'cpu',
      modes: ['hardware'],
      versions: { node: process.versions.node, cpus: String(availableParallelism()) },
      reasons: [
        'emulate: not applicable (the cpu backend runs the network natively)',
        'export: not applicable (use --target nir for a portable file)',
      ],
    };
  },

  check(spec: NetworkSpec) {
    return checkCpu(spec);
  },

  async compile(spec: NetworkSpec, opts: CompileOptions): Promise<Artifact> {
    if (opts.mode !== 'hardware') {
      throw new HasnError('E_BACKEND_UNAVAILABLE', `the cpu backend runs in mode "hardware" only, not "${opts.mode}"`, { path: 'mode' });
    }
    const violations = checkCpu(spec);
    if (violations.length > 0) {
      throw new HasnError('E_BACKEND_UNSUPPORTED', `spec "${spec.name}" cannot run on cpu (${violations.length} violation${violations.length === 1 ? '' : 's'})`, { issues: violations });
    }
    const workers = workerCount(opts.workers);
    // Compiled once here for the resource report; open() compiles its own copy so every session starts fresh.
    const net = compileNetwork(spec, { partitions: Math.max(1, workers) });
    const payload: CpuPayload = { workers };
    return {
      backend: 'cpu',
      mode: 'hardware',
      spec,
      report: {
        neurons: net.neuronCount,
        synapses: net.synapseCount,
        units: { partitions: net.partitions.length, threads: workers === 0 ? 0 : net.partitions.length },
        notes: [],
      },
      files: [],
      payload,
    };
  },

  async open(artifact: Artifact, opts: OpenOptions = {}): Promise<BackendSession> {
    if (artifact.backend !== 'cpu') throw new HasnError('E_BACKEND_MODE', `artifact was compiled for ${artifact.backend}, not cpu`);
    const workers = opts.workers === undefined ? (artifact.payload as CpuPayload).workers : workerCount(opts.workers);
    return CpuSession.open(compileNetwork(artifact.spec, { partitions: Math.max(1, workers) }), workers, opts.snapshot);
  },
};
