// The dashboard's SSE feed on its own: events on connect, spike batches, slow clients, backlog skipping, brain swaps, learning curves, client limit.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SpikeRaster } from '../../agent/brain/spike-raster.ts';
import { LiveStream, type StreamClient } from '../../agent/http/live-stream.ts';
import type { AgentOperations } from '../../agent/operations.ts';
import type { LearningPoint } from '../../agent/runtime/learning-curve.ts';

/** Just enough of the agent for the stream: a raster that tests append to, and a minimal status. */
function fakeAgent() {
  const state = { raster: new SpikeRaster(1000), step: 0, points: [] as LearningPoint[] };
  const ops = {
    status: () => ({
      device: { id: 'pi-01', name: null }, state: 'running', reasons: [], backend: { requested: 'cpu', active: 'cpu', engine: 'in-thread/ts', fallback_reason: null },
      brain: { name: 'b', dt_ms: 1, neurons: 10, step: state.step, sim_time_s: 0, reward: {} }, rates: {}, populations: [], sensors: [], actuators: [],
      latency_ms: {}, snapshots: { count: 0, last_age_s: null }, uptime_s: 1,
    }),
    spec: () => ({ populations: [{ id: 'a', size: 4, model: { type: 'spike_source' } }, { id: 'b', size: 6, module: 'memory', model: { type: 'lif' } }] }),
    outputs: () => [],
    spikes: ({ cursor, limit }: { cursor?: number; limit: number }) => ({ ...state.raster.read(cursor ?? state.raster.written, limit), step: state.step, dt_ms: 1 }),
    learning: ({ from = 0 }: { from?: number } = {}) => ({
      brain: 'b', step: state.step, sim_time_s: state.step / 1000,
      rules: [{ rule: 0, output: 'steer', sensors: ['l', 'r'], window: 20, totals: {}, recent: {}, prediction: [0, 0], curve: state.points.filter((p) => p.n >= from) }],
      rewards: { rule: { events: 0, sum: 0 }, api: { events: 0, sum: 0 }, fleet: { events: 0, sum: 0 } },
      projections: [],
    }),
  } as unknown as AgentOperations;
  const emit = (step: number, neurons: number[]) => {
    state.raster.append(step, Uint32Array.from(neurons), neurons.length);
    state.step = step + 1;
  };
  return { ops, state, emit };
}

class Client implements StreamClient {
  text = '';
  full = false;
  ended = false;
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  ready(): boolean {
    return !this.full;
  }
  end(): void {
    this.ended = true;
  }
  events(name: string): Record<string, unknown>[] {
    return [...this.text.matchAll(new RegExp(`event: ${name}\\ndata: (.+)\\n\\n`, 'g'))].map((m) => JSON.parse(m[1]!) as Record<string, unknown>);
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('live stream', () => {
  it('greets a client with the brain layout and status, then sends spike batches every 100 ms', () => {
    const { ops, emit } = fakeAgent();
    const stream = new LiveStream(ops);
    const client = new Client();
    stream.add(client);
    expect(client.events('hello')[0]).toMatchObject({ device: { id: 'pi-01' }, brain: { populations: [{ id: 'a', offset: 0, size: 4 }, { id: 'b', offset: 4, size: 6, module: 'memory' }] } });
    expect(client.events('status')).toHaveLength(1);
    emit(7, [1, 5]);
    emit(8, [9]);
    vi.advanceTimersByTime(100);
    expect(client.events('spikes')).toEqual([{ from_step: 7, to_step: 9, t: [0, 0, 1], n: [1, 5, 9], missed: 0, dt_ms: 1 }]);
    vi.advanceTimersByTime(1000);
    expect(client.events('status').length).toBeGreaterThanOrEqual(2);
    stream.close();
    expect(client.ended).toBe(true);
  });

  it('skips spikes for a client whose socket is full but keeps its status coming', () => {
    const { ops, emit } = fakeAgent();
    const stream = new LiveStream(ops);
    const slow = new Client();
    stream.add(slow);
    slow.full = true;
    emit(1, [2]);
    vi.advanceTimersByTime(1000);
    expect(slow.events('spikes')).toEqual([]);
    expect(slow.events('status').length).toBe(2);
    stream.close();
  });

  it('skips a backlog larger than one event and counts it as missed', () => {
    const { ops, emit } = fakeAgent();
    const stream = new LiveStream(ops, { maxSpikesPerEvent: 3 });
    const client = new Client();
    stream.add(client);
    emit(1, [0, 1, 2, 3, 4]);
    emit(2, [5, 6]);
    vi.advanceTimersByTime(100);
    expect(client.events('spikes')).toEqual([expect.objectContaining({ n: [4, 5, 6], missed: 4 })]);
    stream.close();
  });

  it('re-sends the layout when the brain is swapped (its raster starts again)', () => {
    const { ops, state, emit } = fakeAgent();
    const stream = new LiveStream(ops);
    const client = new Client();
    stream.add(client);
    emit(1, [0, 1, 2]);
    vi.advanceTimersByTime(100);
    state.raster = new SpikeRaster(1000);
    emit(50, [3]);
    vi.advanceTimersByTime(100);
    expect(client.events('hello')).toHaveLength(2);
    stream.close();
  });

  it('sends the whole learning curve on connect, then only new points with each status, and all again after a brain swap', () => {
    const { ops, state, emit } = fakeAgent();
    const point = (n: number): LearningPoint => ({ n, step: n * 5000, sim_time_s: n * 5, success_rate: 0.5 + n / 100, decided_rate: 1, evaluations: 20 });
    state.points = [point(0), point(1)];
    emit(1, [0, 1, 2]);
    const stream = new LiveStream(ops);
    const first = new Client();
    stream.add(first);
    const pointsOf = (client: Client) => client.events('learning').map((e) => ({ reset: e.reset, n: (e.rules as { points: LearningPoint[] }[])[0]!.points.map((p) => p.n) }));
    expect(pointsOf(first)).toEqual([{ reset: true, n: [0, 1] }]);
    state.points.push(point(2));
    vi.advanceTimersByTime(1000);
    // A client joining now gets everything; the point it got is still broadcast to the first client.
    const second = new Client();
    stream.add(second);
    state.points.push(point(3));
    emit(2, [3]);
    vi.advanceTimersByTime(1000);
    expect(pointsOf(first)).toEqual([{ reset: true, n: [0, 1] }, { reset: false, n: [2] }, { reset: false, n: [3] }]);
    expect(pointsOf(second)).toEqual([{ reset: true, n: [0, 1, 2] }, { reset: false, n: [3] }]);
    // A restored brain brings its own (earlier) curve: sent whole, flagged as a reset.
    state.raster = new SpikeRaster(1000);
    state.points = [point(0)];
    emit(10, [1]);
    vi.advanceTimersByTime(1000);
    expect(pointsOf(first).slice(3)).toEqual([{ reset: true, n: [0] }, { reset: false, n: [] }]);
    stream.close();
  });

  it('refuses clients beyond the limit and stops its timers when the last one leaves', () => {
    const { ops } = fakeAgent();
    const stream = new LiveStream(ops, { maxClients: 1 });
    const remove = stream.add(new Client());
    expect(() => stream.add(new Client())).toThrow(expect.objectContaining({ code: 'E_API_TOO_MANY_STREAMS' }));
    remove();
    expect(vi.getTimerCount()).toBe(0);
  });
});
