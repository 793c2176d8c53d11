// Engine lifecycle: errors reach the caller with their code, shutdown ends every worker (also after a failure or mid-run), bad calls are refused.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compileNetwork } from '../../core/compile/compile.ts';
import { createEngine, type Engine } from '../../core/engine/create-engine.ts';
import { FINITE_CHECK_INTERVAL } from '../../core/engine/parallel/batch-stepper.ts';
import { HasnError } from '../../core/errors.ts';
import { parseSpec } from '../../core/spec/validate.ts';
import { coba } from './networks.ts';

/** One injected spike drives the targets' conductances to +∞ (exc) and −∞ (inh) driving force: v becomes NaN. */
const unstable = parseSpec({
  version: 1, name: 'unstable', seed: 1,
  populations: [
    { id: 'kick', size: 1, model: { type: 'spike_source' } },
    { id: 'cells', size: 40, model: { type: 'lif_cond' } },
  ],
  projections: [
    { id: 'e', source: 'kick', target: 'cells', connector: { type: 'all_to_all' }, weight: 1e38 },
    { id: 'i', source: 'kick', target: 'cells', connector: { type: 'all_to_all' }, weight: 1e38, receptor: 'inh' },
  ],
});

async function rejection(promise: Promise<unknown>): Promise<HasnError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(HasnError);
    return err as HasnError;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): HasnError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HasnError);
    return err as HasnError;
  }
  throw new Error('expected an error');
}

/** Advances step by step until a step throws (at most two finite-check intervals); returns the error, or null. */
function advanceUntilError(engine: Engine): HasnError | null {
  for (let k = 0; k < 2 * FINITE_CHECK_INTERVAL; k++) {
    try {
      engine.advance();
    } catch (err) {
      return err as HasnError;
    }
  }
  return null;
}

describe('engine lifecycle', () => {
  it('a worker error reaches run() with its code, later calls fail with E_ENGINE_FAILED, close() still ends every worker', async () => {
    const net = compileNetwork(unstable, { partitions: 2 });
    const engine = await createEngine(net, { workers: 2 });
    engine.inject([0]);
    const err = await rejection(engine.run(3 * FINITE_CHECK_INTERVAL));
    expect(err.code).toBe('E_ENGINE_UNSTABLE');
    expect(err.message).toContain(`step ${FINITE_CHECK_INTERVAL - 1}`);
    expect(err.path).toBe('populations.cells');
    expect((await rejection(engine.run(1))).code).toBe('E_ENGINE_FAILED');
    await engine.close(); // resolves only once every worker thread has exited
    await engine.close();
  });

  it('the same error reaches a synchronous closed-loop advance()', async () => {
    const net = compileNetwork(unstable, { partitions: 1 });
    const engine = await createEngine(net, { workers: 1 });
    engine.inject([0]);
    const error = advanceUntilError(engine);
    expect(error?.code).toBe('E_ENGINE_UNSTABLE');
    expect(engine.step).toBe(FINITE_CHECK_INTERVAL - 1);
    await engine.close();
  });

  it('the same error reaches advance() when the caller steps as worker 0 (closed loop, 2 workers)', async () => {
    const net = compileNetwork(unstable, { partitions: 2 });
    const engine = await createEngine(net, { workers: 2, mode: 'closed-loop' });
    engine.inject([0]);
    const error = advanceUntilError(engine);
    expect(error?.code).toBe('E_ENGINE_UNSTABLE');
    expect(thrown(() => engine.advance()).code).toBe('E_ENGINE_FAILED');
    await engine.close();
  });

  it('the in-thread engine reports the same error', async () => {
    const net = compileNetwork(unstable);
    const engine = await createEngine(net, { workers: 0 });
    engine.inject([0]);
    expect((await rejection(engine.run(2 * FINITE_CHECK_INTERVAL))).code).toBe('E_ENGINE_UNSTABLE');
    await engine.close();
  });

  it('close() during a run ends the workers and the run fails with E_ENGINE_CLOSED', async () => {
    const net = compileNetwork(coba(), { partitions: 2 });
    const engine = await createEngine(net, { workers: 2 });
    const outcome = rejection(engine.run(1_000_000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await engine.close();
    expect((await outcome).code).toBe('E_ENGINE_CLOSED');
    expect(thrown(() => engine.advance()).code).toBe('E_ENGINE_CLOSED');
  });

  it('close() keeps the process alive until the workers exit, and an engine never closed does not hold the process', () => {
    const fixture = new URL('./fixtures/unclosed-engine.ts', import.meta.url).pathname;
    const out = execFileSync(process.execPath, ['--import', 'tsx', fixture], { encoding: 'utf8', timeout: 60_000 });
    expect(out.trim()).toBe('100 500');
  });

  it('refuses more workers than partitions, kernels the memory cannot host, concurrent runs and unknown neurons', async () => {
    expect((await rejection(createEngine(compileNetwork(coba(), { partitions: 2 }), { workers: 3 }))).code).toBe('E_ENGINE_WORKERS');
    expect((await rejection(createEngine(compileNetwork(coba(), { memory: 'shared' }), { workers: 1, kernels: 'wasm' }))).code).toBe('E_ENGINE_WASM');
    const engine = await createEngine(compileNetwork(coba(), { partitions: 1 }), { workers: 1 });
    const first = engine.run(200);
    expect((await rejection(engine.run(1))).code).toBe('E_ENGINE_BUSY');
    await first;
    expect(engine.step).toBe(200);
    expect(thrown(() => engine.inject([2000])).code).toBe('E_ENGINE_NEURON');
    expect(thrown(() => engine.addReward(1, 'nope')).code).toBe('E_ENGINE_REWARD');
    await engine.close();
  });
});
