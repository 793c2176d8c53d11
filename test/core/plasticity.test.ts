// STDP, reward-modulated STDP and threshold adaptation against their analytic rules.
import { describe, expect, it } from 'vitest';
import type { PlasticityRule } from '../../core/spec/schema.ts';
import { run, spec } from './helpers.ts';

const dt = 0.1;

/**
 * pre (spike_source 0) → post (LIF 1) with a tiny plastic weight; a driver (spike_source 2) with a huge
 * weight makes post fire exactly one step after the driver fires. So we choose both spike times.
 */
function pairNetwork(plasticity: Record<string, unknown>, w0: number) {
  return spec({
    dt_ms: dt,
    populations: [
      { id: 'pre', size: 1, model: { type: 'spike_source' } },
      { id: 'post', size: 1, model: { type: 'lif', v_rest_mV: -65, v_thresh_mV: -50, tau_refrac_ms: 5, tau_syn_e_ms: 0.5 } },
      { id: 'driver', size: 1, model: { type: 'spike_source' } },
    ],
    projections: [
      { id: 'plastic', source: 'pre', target: 'post', connector: { type: 'one_to_one' }, weight: w0, plasticity: plasticity as PlasticityRule },
      { id: 'drive', source: 'driver', target: 'post', connector: { type: 'one_to_one' }, weight: 1000 },
    ],
  });
}

/** Injection schedule from (step, neuron) pairs; several neurons may fire in the same step. */
function inputs(...events: [number, number][]): Record<number, number[]> {
  const schedule: Record<number, number[]> = {};
  for (const [step, neuron] of events) (schedule[step] ??= []).push(neuron);
  return schedule;
}

function weightOf(result: ReturnType<typeof run>): number {
  const p = result.net.plastic[0]!;
  return result.net.partitions[p.locPartition[0]!]!.weight[p.locIndex[0]!]!;
}

describe('pair-based STDP', () => {
  const rule = { rule: 'stdp', tau_plus_ms: 16.8, tau_minus_ms: 33.7, a_plus: 0.01, a_minus: 0.012, w_min: 0, w_max: 1 };
  const w0 = 0.5;

  for (const lagSteps of [1, 5, 20, 100, 300]) {
    it(`potentiates by a₊·e^(−Δt/τ₊) for pre before post by ${lagSteps} steps`, () => {
      const preStep = 10;
      const postStep = preStep + lagSteps;
      const result = run(pairNetwork(rule, w0), postStep + 5, inputs([preStep, 0], [postStep - 1, 2]));
      expect(result.spikes).toContainEqual([postStep, 1]);
      const expected = w0 + rule.a_plus * Math.exp(-(lagSteps * dt) / rule.tau_plus_ms);
      expect(weightOf(result)).toBeCloseTo(expected, 6);
    });

    it(`depresses by a₋·e^(Δt/τ₋) for post before pre by ${lagSteps} steps`, () => {
      const postStep = 10;
      const preStep = postStep + lagSteps;
      const result = run(pairNetwork(rule, w0), preStep + 5, inputs([postStep - 1, 2], [preStep, 0]));
      const expected = w0 - rule.a_minus * Math.exp(-(lagSteps * dt) / rule.tau_minus_ms);
      expect(weightOf(result)).toBeCloseTo(expected, 6);
    });
  }

  it('changes nothing for simultaneous pre and post spikes', () => {
    const result = run(pairNetwork(rule, w0), 20, { 10: [0], 9: [2] });
    expect(weightOf(result)).toBe(Math.fround(w0));
  });

  it('multiplicative mode scales potentiation by (w_max − w) and depression by (w − w_min)', () => {
    const m = { ...rule, mode: 'multiplicative', w_min: 0.1, w_max: 0.9 };
    const up = run(pairNetwork(m, w0), 40, { 10: [0], 29: [2] });
    expect(weightOf(up)).toBeCloseTo(w0 + m.a_plus * Math.exp(-(20 * dt) / m.tau_plus_ms) * (0.9 - w0), 6);
    const down = run(pairNetwork(m, w0), 40, { 9: [2], 30: [0] });
    expect(weightOf(down)).toBeCloseTo(w0 - m.a_minus * Math.exp(-(20 * dt) / m.tau_minus_ms) * (w0 - 0.1), 6);
  });

  it('keeps weights within [w_min, w_max]', () => {
    const strong = { ...rule, a_plus: 5, w_max: 0.8 };
    const result = run(pairNetwork(strong, w0), 40, { 10: [0], 14: [2] });
    expect(weightOf(result)).toBe(Math.fround(0.8));
  });
});

describe('reward-modulated STDP', () => {
  const rule = { rule: 'reward_stdp', tau_plus_ms: 20, tau_minus_ms: 20, a_plus: 1, a_minus: 1, w_min: 0, w_max: 1, tau_eligibility_ms: 50, tau_reward_ms: 10, learning_rate: 0.001 };
  const w0 = 0.5;

  it('leaves the weight alone without reward and puts the pair into the eligibility trace', () => {
    const result = run(pairNetwork(rule, w0), 40, { 10: [0], 19: [2] });
    expect(weightOf(result)).toBe(Math.fround(w0));
    const e = result.net.plastic[0]!.eligibility[0]!;
    // e = a₊·e^(−Δt/τ₊) at the post spike (step 20), decayed by e^(−dt/τₑ) for each later step (21 … 39).
    const expected = Math.exp(-(10 * dt) / 20) * Math.exp(-(19 * dt) / 50);
    expect(e).toBeCloseTo(expected, 6);
  });

  it('moves the weight by learning_rate · Σ reward·eligibility once reward arrives', () => {
    const s = pairNetwork(rule, w0);
    const result = run(s, 30, { 10: [0], 19: [2] });
    result.engine.addReward(1);
    result.engine.run(200);
    // From step 30 on: r_k = e^(−k·dt/τᵣ), e_k = e_20·e^(−(k+10)·dt/τₑ) (eligibility decays before use).
    const e20 = Math.exp(-(10 * dt) / 20);
    let expected = w0;
    for (let k = 0; k < 200; k++) expected += 0.001 * Math.exp((-k * dt) / 10) * e20 * Math.exp((-(k + 10) * dt) / 50);
    expect(weightOf(result)).toBeCloseTo(expected, 5);
    expect(weightOf(result)).toBeGreaterThan(w0 + 0.005);
  });

  it('negative reward after a causal pair weakens the synapse', () => {
    const result = run(pairNetwork(rule, w0), 30, { 10: [0], 19: [2] });
    result.engine.addReward(-1);
    result.engine.run(100);
    expect(weightOf(result)).toBeLessThan(w0 - 0.005);
  });
});

describe('homeostatic threshold adaptation', () => {
  it('raises θ by θ₊ per spike and lets it decay with τ_θ', () => {
    const s = spec({
      dt_ms: dt,
      populations: [
        { id: 'src', size: 1, model: { type: 'spike_source' } },
        { id: 'n', size: 1, model: { type: 'lif', v_rest_mV: -65, v_thresh_mV: -50, tau_refrac_ms: 1, threshold_adaptation: { theta_plus_mV: 0.5, tau_theta_ms: 100 } } },
      ],
      projections: [{ id: 'p', source: 'src', target: 'n', connector: { type: 'one_to_one' }, weight: 1000 }],
    });
    const result = run(s, 60, { 5: [0] });
    const spikes = result.spikes.filter(([, n]) => n === 1).map(([step]) => step!);
    expect(spikes[0]).toBe(6);
    let theta = 0;
    let step = 0;
    for (; step < 60; step++) {
      theta *= Math.exp(-dt / 100);
      if (spikes.includes(step)) theta += 0.5;
    }
    expect(result.net.state.theta[1]).toBeCloseTo(theta, 5);
    expect(theta).toBeGreaterThan(0.5 * spikes.length * 0.9);
  });
});
