// The one Backend interface every target implements (cpu, loihi, spinnaker, akida), and what it reports.
//
// Error codes every backend shares (HasnError.code), besides its own E_<BACKEND>_… violation codes:
//   E_BACKEND_UNKNOWN      no backend with that id is registered (registry)
//   E_BACKEND_UNAVAILABLE  the mode asked for cannot run here (probe() says why); selection found nothing
//   E_BACKEND_UNSUPPORTED  compile(): check() found violations (they are in `issues`)
//   E_BACKEND_MODE         open(): the artifact is for another backend or a mode that cannot be opened
//   E_BACKEND_OPTION       a compile/open option is out of range (path names it)
//   E_BACKEND_STEPS, E_BACKEND_INPUT, E_BACKEND_CLOSED   session.step() arguments, or a closed session
import type { Issue } from '../../core/errors.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';

export type BackendId = 'cpu' | 'loihi' | 'spinnaker' | 'akida';
export type BackendMode = 'hardware' | 'emulate' | 'export';

/** What `probe()` found: which modes are possible here, and why the others are not. Never thrown for "absent". */
export interface BackendStatus {
  id: BackendId;
  /** Modes usable on this machine now. */
  modes: BackendMode[];
  /** Versions of SDKs/devices found (name → version). */
  versions: Record<string, string>;
  /** One line per unavailable mode or missing component, e.g. "hardware: lava-loihi not importable (INRC only)". */
  reasons: string[];
}

/** A reason a spec cannot be mapped to a backend: stable code + path at fault. */
export type Violation = Issue;

export interface CompileOptions {
  mode: BackendMode;
  /** Directory for exported files (export mode), created if absent. */
  outDir?: string;
  /** Engine workers (cpu). */
  workers?: number;
  /** Backend-specific knobs (e.g. weight bits for akida). */
  [key: string]: unknown;
}

/** Resource use and quantization cost reported by compile(). */
export interface ResourceReport {
  neurons: number;
  synapses: number;
  /** Cores/NPs/chips used, by name ("cores", "chips", "nps"). */
  units: Record<string, number>;
  /** Quantization error summary, when the backend quantizes (e.g. max relative weight error). */
  quantization?: Record<string, number>;
  notes: string[];
}

export interface Artifact {
  backend: BackendId;
  mode: BackendMode;
  spec: NetworkSpec;
  report: ResourceReport;
  /** Files written (export mode), absolute paths. */
  files: string[];
  /** Backend-private compiled data used by open(). */
  payload: unknown;
}

export interface StepInputs {
  /** Global indices of spike_source neurons to fire in the first of the steps. */
  spikes?: ArrayLike<number>;
  /** Reward added before the steps (reward_stdp). */
  reward?: number;
}

export interface StepOutputs {
  /** Spikes of the steps run: (step, global neuron) pairs in canonical order. */
  spikes: { step: Int32Array; neuron: Uint32Array };
  /** The step after the last one run. */
  step: number;
}

export interface BackendSession {
  readonly backend: BackendId;
  step(n: number, inputs?: StepInputs): Promise<StepOutputs>;
  /** The brain state in the core snapshot format (core/state). */
  snapshot(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Restore this snapshot before running. */
  snapshot?: Uint8Array;
  workers?: number;
}

export interface Backend {
  readonly id: BackendId;
  probe(): Promise<BackendStatus>;
  check(spec: NetworkSpec): Violation[];
  compile(spec: NetworkSpec, opts: CompileOptions): Promise<Artifact>;
  open(artifact: Artifact, opts?: OpenOptions): Promise<BackendSession>;
}
