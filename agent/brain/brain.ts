// A running brain: the compiled network, its engine, the encoders and decoders of its inputs and outputs, and what it recorded.
//
// One step, closed loop (no allocation): every encoder emits → its spikes are marked for this step → the engine
// advances → spikes are counted per population and kept in the raster → every decoder observes its population.
// Snapshots carry the encoder and decoder states as `extra` sections, so a restored brain continues exactly.
import type { DecodedOutput } from '../../core/codec/decoders.ts';
import type { CompiledNetwork } from '../../core/compile/types.ts';
import { HasnError } from '../../core/errors.ts';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import { encodeSnapshot, restoreSnapshot } from '../../core/state/index.ts';
import { compileBrain, createBrainEngine, type BrainEngine } from './engine-factory.ts';
import { InputBinding } from './input-binding.ts';
import { LatencyRecorder } from './latency-recorder.ts';
import { OutputBinding } from './output-binding.ts';
import { PopulationActivity } from './population-activity.ts';
import { SpikeRaster } from './spike-raster.ts';

export interface BrainOptions {
  workers: number;
  /** Continue from this snapshot (core/state format) instead of the spec's initial state. */
  snapshot?: Uint8Array;
  /** Milliseconds on the agent's monotonic clock (for latencies). */
  now: () => number;
  /** Spikes kept for the dashboard and the API (default 262 144). */
  rasterCapacity?: number;
}

const INPUT_SECTION = 'agent.input.';
const OUTPUT_SECTION = 'agent.output.';

function toBytes(state: Float64Array): Uint8Array {
  return new Uint8Array(state.buffer.slice(state.byteOffset, state.byteOffset + state.byteLength));
}

function toState(bytes: Uint8Array): Float64Array | null {
  if (bytes.byteLength % 8 !== 0) return null;
  return new Float64Array(bytes.slice().buffer);
}

export class Brain {
  readonly specHash: string;
  readonly inputs: readonly InputBinding[];
  readonly outputs: readonly OutputBinding[];
  readonly activity: PopulationActivity;
  readonly raster: SpikeRaster;
  /** Sensor value → end of the first step that encoded it: the agent's own delay (batching, scheduling). */
  readonly stepLatency = new LatencyRecorder();
  /** Sensor value → end of the step carrying its first input spike: adds the encoder's coding delay (stochastic for rate codes). */
  readonly spikeLatency = new LatencyRecorder();
  /** The step the brain started at (0, or the step of the restored snapshot). */
  readonly startStep: number;
  /** Problems met restoring encoder/decoder state (those codecs started fresh). */
  readonly restoreWarnings: string[] = [];
  private readonly inputsByChannel = new Map<string, InputBinding[]>();
  private readonly now: () => number;
  /** The snapshot's sections this brain was restored with (the agent's own, e.g. learning curves, are read from here). */
  private readonly restoredExtra: Record<string, Uint8Array>;
  /** Sections other parts of the agent add to every snapshot of this brain (name → current bytes). */
  private readonly extraSections = new Map<string, () => Uint8Array>();

  private constructor(
    readonly spec: NetworkSpec,
    readonly net: CompiledNetwork,
    readonly engine: BrainEngine,
    restored: { step: number; extra: Record<string, Uint8Array> } | null,
    options: BrainOptions,
  ) {
    this.specHash = net.specHash;
    this.now = options.now;
    const byId = new Map(net.populations.map((p) => [p.id, p]));
    this.inputs = spec.inputs.map((input, i) => new InputBinding(input, byId.get(input.population)!, spec.seed, spec.dt_ms, i));
    this.outputs = spec.outputs.map((output, i) => new OutputBinding(output, byId.get(output.population)!, spec.dt_ms, i));
    for (const input of this.inputs) {
      const list = this.inputsByChannel.get(input.channel) ?? [];
      list.push(input);
      this.inputsByChannel.set(input.channel, list);
    }
    if (restored !== null) this.restoreCodecs(restored.extra);
    this.restoredExtra = restored?.extra ?? {};
    this.startStep = restored?.step ?? 0;
    this.activity = new PopulationActivity(net.populations, this.startStep, spec.dt_ms);
    this.raster = new SpikeRaster(options.rasterCapacity ?? 1 << 18);
  }

  /**
   * Compiles `spec` and builds its brain with its engine. With `options.snapshot` the network state is restored
   * first (E_SNAPSHOT_* if it does not fit), so the engine starts at the snapshot's step.
   */
  static async create(spec: NetworkSpec, options: BrainOptions): Promise<Brain> {
    const net = compileBrain(spec, options.workers);
    const restored = options.snapshot === undefined ? null : restoreSnapshot(net, options.snapshot);
    const engine = await createBrainEngine(net, { workers: options.workers, startStep: restored?.step ?? 0 });
    try {
      return new Brain(spec, net, engine, restored, options);
    } catch (err) {
      await engine.close();
      throw err;
    }
  }

  get step(): number {
    return this.engine.step;
  }

  /** Inputs fed by a sensor channel (several inputs may read one channel). */
  inputsForChannel(channel: string): readonly InputBinding[] {
    return this.inputsByChannel.get(channel) ?? [];
  }

  input(id: string): InputBinding | undefined {
    return this.inputs.find((input) => input.id === id);
  }

  /** Runs `steps` closed-loop steps. */
  runSteps(steps: number): void {
    const engine = this.engine;
    const inputs = this.inputs;
    const outputs = this.outputs;
    for (let n = 0; n < steps; n++) {
      const step = engine.step;
      let waiting = false;
      for (let i = 0; i < inputs.length; i++) {
        const input = inputs[i]!;
        const count = input.encoder.emit(step, input.emitted);
        engine.markSpikes(input.population.offset, input.emitted, count);
        if (count > 0 && !Number.isNaN(input.pendingSince)) {
          input.firedPending = true;
          waiting = true;
        }
      }
      engine.advance();
      const spikes = engine.spikes;
      const count = engine.spikeCount;
      this.activity.record(spikes, count);
      this.raster.append(step, spikes, count);
      for (let o = 0; o < outputs.length; o++) outputs[o]!.observe(step, spikes, count);
      // Every step encodes every input, so the batch's first step is the one that encoded waiting values.
      if (n === 0) this.recordStepLatencies();
      if (waiting) this.recordSpikeLatencies();
    }
  }

  private recordStepLatencies(): void {
    let now = Number.NaN;
    for (const input of this.inputs) {
      if (Number.isNaN(input.unencodedSince)) continue;
      if (Number.isNaN(now)) now = this.now();
      this.stepLatency.record(now - input.unencodedSince);
      input.unencodedSince = Number.NaN;
    }
  }

  /** Inputs whose pending value produced spikes in the step just run (marked spike_source neurons always fire). */
  private recordSpikeLatencies(): void {
    const now = this.now();
    for (const input of this.inputs) {
      if (!input.firedPending) continue;
      this.spikeLatency.record(now - input.pendingSince);
      input.pendingSince = Number.NaN;
      input.firedPending = false;
    }
  }

  /** Marks neurons of a spike_source population to fire in the next step (API "inject"). */
  injectSpikes(populationId: string, neurons: readonly number[]): void {
    const population = this.net.populations.find((p) => p.id === populationId);
    if (population === undefined) {
      throw new HasnError('E_BRAIN_UNKNOWN_POPULATION', `no population "${populationId}" in brain "${this.spec.name}"`, { path: 'population' });
    }
    if (population.model.type !== 'spike_source') {
      throw new HasnError('E_BRAIN_NOT_SPIKE_SOURCE', `population "${populationId}" is ${population.model.type}; spikes can only be injected into spike_source populations`, { path: 'population' });
    }
    const bad = neurons.findIndex((n) => !Number.isInteger(n) || n < 0 || n >= population.size);
    if (bad !== -1) {
      throw new HasnError('E_BRAIN_NEURON_OUT_OF_RANGE', `neuron ${neurons[bad]} is not in 0…${population.size - 1}`, { path: `neurons[${bad}]` });
    }
    this.engine.markSpikes(population.offset, Uint32Array.from(neurons), neurons.length);
  }

  /** Adds reward to every reward_stdp projection, or to one; returns the projections it reached. */
  addReward(amount: number, projectionId?: string): string[] {
    const targets = this.net.plastic.filter((p) => p.rule.rule === 'reward_stdp' && (projectionId === undefined || p.id === projectionId)).map((p) => p.id);
    if (projectionId !== undefined && targets.length === 0) {
      throw new HasnError('E_BRAIN_UNKNOWN_PROJECTION', `no reward_stdp projection "${projectionId}" in brain "${this.spec.name}"`, { path: 'projection' });
    }
    if (!Number.isFinite(amount)) throw new HasnError('E_BRAIN_REWARD_VALUE', `reward must be a finite number, got ${amount}`, { path: 'amount' });
    this.engine.addReward(amount, projectionId);
    return targets;
  }

  /** The reward level of each reward_stdp projection. */
  rewardLevels(): Record<string, number> {
    const levels: Record<string, number> = {};
    this.net.plastic.forEach((p, k) => {
      if (p.rule.rule === 'reward_stdp') levels[p.id] = this.net.reward[k]!;
    });
    return levels;
  }

  readOutputs(): Record<string, DecodedOutput> {
    const values: Record<string, DecodedOutput> = {};
    for (const output of this.outputs) values[output.id] = output.read();
    return values;
  }

  /** A section the restored snapshot carried (undefined for a fresh brain or a snapshot without it). */
  restoredSection(name: string): Uint8Array | undefined {
    return this.restoredExtra[name];
  }

  /** Adds a section to every later snapshot of this brain (the runtime's learning curves). */
  addSnapshotSection(name: string, bytes: () => Uint8Array): void {
    this.extraSections.set(name, bytes);
  }

  /** The brain state at the current step, encoders, decoders and the agent's own sections included. */
  snapshot(): Uint8Array {
    const extra: Record<string, Uint8Array> = {};
    for (const [name, bytes] of this.extraSections) extra[name] = bytes();
    for (const input of this.inputs) extra[INPUT_SECTION + input.id] = toBytes(input.encoder.state());
    for (const output of this.outputs) extra[OUTPUT_SECTION + output.id] = toBytes(output.decoder.state());
    return encodeSnapshot(this.net, this.engine.step, extra);
  }

  private restoreCodecs(extra: Record<string, Uint8Array>): void {
    const restore = (name: string, codec: { restore(state: Float64Array): void; reset(): void }) => {
      const bytes = extra[name];
      const state = bytes === undefined ? null : toState(bytes);
      if (state === null) {
        this.restoreWarnings.push(`${name}: not in the snapshot; starts fresh`);
        return;
      }
      try {
        codec.restore(state);
      } catch (err) {
        codec.reset();
        this.restoreWarnings.push(`${name}: ${(err as Error).message}; starts fresh`);
      }
    };
    for (const input of this.inputs) restore(INPUT_SECTION + input.id, input.encoder);
    for (const output of this.outputs) restore(OUTPUT_SECTION + output.id, output.decoder);
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}
