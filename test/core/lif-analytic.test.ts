// A single LIF neuron under constant input spikes at the analytically computed times.
import { describe, expect, it } from 'vitest';
import { run, spec, spikeSteps } from './helpers.ts';

describe('single LIF neuron under constant current', () => {
  const dt = 0.1;
  const tauM = 20;
  const cm = 0.25; // nF → R = 80 MΩ
  const iOffset = 0.2; // nA → v∞ = v_rest + 16 mV
  const vRest = -65;
  const vThresh = -55;
  const vReset = -70;
  const refrac = 2; // ms = 20 steps
  const vInf = vRest + (tauM / cm) * iOffset;

  /** Exact solution: after k steps of free integration from v0, v = v∞ + (v0 − v∞)·e^(−k·dt/τ). First k with v > threshold. */
  function stepsToThreshold(v0: number): { k: number; margin: number } {
    const tCross = -tauM * Math.log((vThresh - vInf) / (v0 - vInf));
    const k = Math.floor(tCross / dt) + 1;
    return { k, margin: Math.min(k - tCross / dt, tCross / dt - (k - 1)) };
  }

  it('fires first at ceil(t*/dt) and then with period refractory + time from reset to threshold', () => {
    const s = spec({
      dt_ms: dt,
      populations: [{ id: 'n', size: 1, model: { type: 'lif', cm_nF: cm, tau_m_ms: tauM, v_rest_mV: vRest, v_reset_mV: vReset, v_thresh_mV: vThresh, tau_refrac_ms: refrac, i_offset_nA: iOffset } }],
    });
    const first = stepsToThreshold(vRest);
    const fromReset = stepsToThreshold(vReset);
    // The crossings are not within 1 % of a step boundary, so float32 rounding cannot move them.
    expect(first.margin).toBeGreaterThan(0.01);
    expect(fromReset.margin).toBeGreaterThan(0.01);
    const refracSteps = Math.round(refrac / dt);
    const expected: number[] = [first.k - 1];
    // After a spike at step n, v is held at v_reset in steps n+1 … n+refracSteps−1 and integrates again from step n+refracSteps.
    while (expected.length < 8) expected.push(expected[expected.length - 1]! + refracSteps - 1 + fromReset.k);
    const result = run(s, expected[expected.length - 1]! + 5);
    expect(spikeSteps(result, 0)).toEqual(expected);
  });

  it('stays silent when the steady state is below threshold', () => {
    const s = spec({
      populations: [{ id: 'n', size: 1, model: { type: 'lif', v_rest_mV: -65, v_thresh_mV: -50, i_offset_nA: 0.5 } }], // v∞ = −55
    });
    expect(run(s, 5000).total).toBe(0);
  });

  it('sees a spike one step later with a delay of one step, as Brian2 does with zero delay', () => {
    const s = spec({
      populations: [
        { id: 'src', size: 1, model: { type: 'spike_source' } },
        { id: 'n', size: 1, model: { type: 'lif', tau_syn_e_ms: 5, v_rest_mV: -65, v_thresh_mV: -50, tau_refrac_ms: 5 } },
      ],
      projections: [{ id: 'p', source: 'src', target: 'n', connector: { type: 'one_to_one' }, weight: 1000 }],
    });
    const result = run(s, 10, { 3: [0] });
    expect(spikeSteps(result, 0)).toEqual([3]);
    expect(spikeSteps(result, 1)).toEqual([4]);
  });
});
