#!/usr/bin/python3
"""Runs small deterministic HASN network specs in Brian2 and prints every spike and chosen v traces.

This is the reference for HASN's pinned step semantics. It reads JSON on stdin:

    {"cases": [{"name": str, "spec": <HASN spec v1 with defaults filled in>, "steps": int,
                "inject": [[step, global_neuron], ...], "record_v": [global_neuron, ...]}]}

and prints {"cases": [{"name", "spikes": [[step, global_neuron], ...], "v": {"<neuron>": [mV after
each step]}}]}. Supported: populations `lif` (exact integration), `lif_cond` (forward Euler) and
`spike_source` (fed from `inject`); connectors explicit, one_to_one, all_to_all; constant weights,
delays and initial values. Anything else is refused (exit 2): random networks cannot be compared
spike by spike.

The translation states HASN's semantics in Brian2 terms:
  * lif:      dv/dt = (El - v)/taum + (ie - ii + I0)/Cm, die/dt = -ie/taue, dii/dt = -ii/taui  (exact)
  * lif_cond: Cm dv/dt = gl(El - v) + ge(Ee - v) + gi(Ei - v) + I0, dg/dt = -g/tau            (Euler)
  * threshold v > Vt, reset v = Vr, refractory tau_refrac (v held, synaptic variables keep going)
  * a HASN delay of d steps (d >= 1) is a Brian2 synaptic delay of (d - 1)*dt: Brian2 adds an
    undelayed spike to the target at the end of the step it was emitted in, HASN delivers it at
    the start of the next one, which the membrane update sees the same way.
Runs with Brian2's numpy target (float64, no compilation).
"""
import json
import os
import sys
import warnings

sys.dont_write_bytecode = True
warnings.filterwarnings('ignore', category=FutureWarning)  # Debian's pythran with numpy 1.24
try:
    from brian2 import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses,
                        defaultclock, mV, ms, nA, nF, prefs, uS)
except ImportError as err:
    sys.stderr.write(f'brian2 is not importable by {sys.executable}: {err}\n')
    sys.exit(3)

import numpy as np  # noqa: E402

EXIT_UNSUPPORTED = 2

LIF_EQUATIONS = '''
dv/dt = (El - v)/taum + (ie - ii + I0)/Cm : volt (unless refractory)
die/dt = -ie/taue : amp
dii/dt = -ii/taui : amp
'''
LIF_COND_EQUATIONS = '''
dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) + I0)/Cm : volt (unless refractory)
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens
'''
# Per model: (synaptic variable of the exc receptor, of the inh receptor, unit of a weight)
RECEPTORS = {'lif': ('ie', 'ii', nA), 'lif_cond': ('ge', 'gi', uS)}
INITIAL = {'lif': {'v_mV': ('v', mV), 'ie_nA': ('ie', nA), 'ii_nA': ('ii', nA)},
           'lif_cond': {'v_mV': ('v', mV), 'ge_uS': ('ge', uS), 'gi_uS': ('gi', uS)}}


class Unsupported(Exception):
    pass


def constant(value, where):
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict) and value.get('dist') == 'constant':
        return float(value['value'])
    raise Unsupported(f'{where}: only constant values can be compared spike by spike')


def make_group(pop, injected, name):
    m = pop['model']
    kind = m['type']
    if kind == 'spike_source':
        steps = [s for s, _ in injected]
        return SpikeGeneratorGroup(pop["size"], [i for _, i in injected],
                                   np.asarray(steps, dtype=float) * defaultclock.dt, name=name)
    if kind not in RECEPTORS:
        raise Unsupported(f'population {pop["id"]}: model {kind} has no Brian2 translation here')
    if m.get('threshold_adaptation'):
        raise Unsupported(f'population {pop["id"]}: threshold_adaptation has no Brian2 translation here')
    common = {'El': m['v_rest_mV'] * mV, 'Vt': m['v_thresh_mV'] * mV, 'Vr': m['v_reset_mV'] * mV,
              'Cm': m['cm_nF'] * nF, 'taue': m['tau_syn_e_ms'] * ms, 'taui': m['tau_syn_i_ms'] * ms,
              'I0': m['i_offset_nA'] * nA}
    if kind == 'lif':
        namespace = {**common, 'taum': m['tau_m_ms'] * ms}
        equations, method = LIF_EQUATIONS, 'exact'
    else:
        namespace = {**common, 'gl': m['cm_nF'] * nF / (m['tau_m_ms'] * ms),
                     'Ee': m['e_rev_e_mV'] * mV, 'Ei': m['e_rev_i_mV'] * mV}
        equations, method = LIF_COND_EQUATIONS, 'euler'
    group = NeuronGroup(pop['size'], equations, threshold='v > Vt', reset='v = Vr',
                        refractory=m['tau_refrac_ms'] * ms, method=method, namespace=namespace, name=name)
    group.v = m['v_rest_mV'] * mV  # HASN starts every LIF at rest unless `initial` says otherwise
    for key, value in pop.get('initial', {}).items():
        if key not in INITIAL[kind]:
            raise Unsupported(f'population {pop["id"]}: initial {key} is not a {kind} variable')
        variable, unit = INITIAL[kind][key]
        setattr(group, variable, constant(value, f'population {pop["id"]} initial {key}') * unit)
    return group


def pairs_of(connector, source_size, target_size, where):
    kind = connector['type']
    if kind == 'explicit':
        return connector['pairs']
    if kind == 'one_to_one':
        return [[i, i] for i in range(min(source_size, target_size))]
    if kind == 'all_to_all':
        allow_self = connector.get('allow_self', True)
        return [[s, t] for s in range(source_size) for t in range(target_size) if allow_self or s != t]
    raise Unsupported(f'{where}: connector {kind} is random; use explicit pairs')


def make_synapses(proj, pops, groups, dt_ms, index):
    where = f'projection {proj["id"]}'
    if proj.get('plasticity'):
        raise Unsupported(f'{where}: plasticity has no Brian2 translation here')
    src, tgt = pops[proj['source']], pops[proj['target']]
    if tgt['model']['type'] not in RECEPTORS:
        raise Unsupported(f'{where}: target model {tgt["model"]["type"]} cannot receive synapses here')
    exc_var, inh_var, unit = RECEPTORS[tgt['model']['type']]
    variable = exc_var if proj.get('receptor', 'exc') == 'exc' else inh_var
    pairs = pairs_of(proj['connector'], src['size'], tgt['size'], where)
    weight = constant(proj['weight'], f'{where} weight')
    delay_ms = constant(proj.get('delay_ms', dt_ms), f'{where} delay_ms')
    syn = Synapses(groups[proj['source']], groups[proj['target']], model='w : 1',
                   on_pre=f'{variable}_post += w * weight_unit', namespace={'weight_unit': unit},
                   name=f'projection_{index}')
    if not pairs:
        return syn
    syn.connect(i=np.array([p[0] for p in pairs]), j=np.array([p[1] for p in pairs]))
    syn.w = np.array([max(0.0, p[2]) if len(p) > 2 else weight for p in pairs])
    steps = np.array([max(1, round((p[3] if len(p) > 3 else delay_ms) / dt_ms)) for p in pairs])
    syn.delay = (steps - 1) * dt_ms * ms
    return syn


def run_case(case):
    spec = case['spec']
    dt_ms = spec['dt_ms']
    defaultclock.dt = dt_ms * ms
    pops, offsets, offset = {}, {}, 0
    for pop in spec['populations']:
        pops[pop['id']], offsets[pop['id']] = pop, offset
        offset += pop['size']
    groups, monitors, states = {}, [], []
    for k, pop in enumerate(spec['populations']):
        lo, hi = offsets[pop['id']], offsets[pop['id']] + pop['size']
        injected = [(s, g - lo) for s, g in case.get('inject', []) if lo <= g < hi]
        if injected and pop['model']['type'] != 'spike_source':
            raise Unsupported(f'inject: neuron {injected[0][1] + lo} is not in a spike_source population')
        group = make_group(pop, injected, f'pop_{k}')
        groups[pop['id']] = group
        monitors.append((lo, SpikeMonitor(group, name=f'spikes_{k}')))
        record = [g - lo for g in case.get('record_v', []) if lo <= g < hi]
        if record:
            # when='end': after the reset, i.e. the state HASN holds after the step
            states.append((lo, record, StateMonitor(group, 'v', record=record, when='end', name=f'v_{k}')))
    synapses = [make_synapses(p, pops, groups, dt_ms, k) for k, p in enumerate(spec.get('projections', []))]
    net = Network(*groups.values(), *synapses, *(m for _, m in monitors), *(s for _, _, s in states))
    net.run(case['steps'] * dt_ms * ms, namespace={})
    spikes = []
    for lo, mon in monitors:
        steps = np.rint(np.asarray(mon.t / ms) / dt_ms).astype(int)
        spikes += [[int(s), int(i) + lo] for s, i in zip(steps, np.asarray(mon.i))]
    spikes.sort()
    traces = {}
    for lo, record, mon in states:
        for row, local in enumerate(record):
            traces[str(local + lo)] = [float(x) for x in np.asarray(mon.v[row] / mV)]
    return {'name': case['name'], 'spikes': spikes, 'v': traces}


def main():
    out = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)  # anything Brian2 prints goes to stderr; stdout carries only the result
    sys.stdout = sys.stderr
    prefs.codegen.target = 'numpy'
    try:
        results = [run_case(case) for case in json.load(sys.stdin)['cases']]
    except Unsupported as err:
        sys.stderr.write(f'unsupported: {err}\n')
        sys.exit(EXIT_UNSUPPORTED)
    out.write(json.dumps({'cases': results}) + '\n')
    out.flush()


if __name__ == '__main__':
    main()
