#!/usr/bin/python3
"""Runs small deterministic HASN network specs in Brian2 and prints every spike and chosen v traces.

This is the reference for HASN's pinned step semantics. It reads JSON on stdin:

    {"cases": [{"name": str, "spec": <HASN spec v1 with defaults filled in>, "steps": int,
                "inject": [[step, global_neuron], ...], "record_v": [global_neuron, ...]}]}

and prints {"cases": [{"name", "spikes": [[step, global_neuron], ...], "v": {"<neuron>": [mV after
each step]}}]}. Supported: populations `lif` (exact integration), `lif_cond` (forward Euler) and
`spike_source` (fed from `inject`); connectors explicit, one_to_one, all_to_all; constant weights,
delays and initial values; one dt for all cases. Anything else is refused (exit 2): random
networks cannot be compared spike by spike.

The translation states HASN's semantics in Brian2 terms:
  * lif:      dv/dt = (El - v)/taum + (ie - ii + I0)/Cm, die/dt = -ie/taue, dii/dt = -ii/taui  (exact)
  * lif_cond: Cm dv/dt = gl(El - v) + ge(Ee - v) + gi(Ei - v) + I0, dg/dt = -g/tau            (Euler)
  * threshold v > Vt, reset v = Vr, refractory tau_refrac (v held, synaptic variables keep going)
  * a HASN delay of d steps (d >= 1) is a Brian2 synaptic delay of (d - 1)*dt: Brian2 adds an
    undelayed spike to the target at the end of the step it was emitted in, HASN delivers it at
    the start of the next one, which the membrane update sees the same way.

All cases run side by side in ONE Brian2 network (they share no synapses): one NeuronGroup per
model with per-neuron parameters, so Brian2 solves the lif system symbolically once (sympy takes
~4 s per solve) and the numpy target needs no compilation. Float64 throughout.
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

EQUATIONS = {
    'lif': '''
dv/dt = (El - v)/taum + (ie - ii + I0)/Cm : volt (unless refractory)
die/dt = -ie/taue : amp
dii/dt = -ii/taui : amp
''',
    'lif_cond': '''
dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) + I0)/Cm : volt (unless refractory)
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens
''',
}
# Brian2 2.5.1 calls exact integration of linear systems 'exact' (newer versions: 'linear').
METHODS = {'lif': 'exact', 'lif_cond': 'euler'}
# Per-neuron constant parameters: name -> (Brian2 dimension, unit, value from the HASN model)
_COMMON = {
    'El': ('volt', mV, lambda m: m['v_rest_mV']), 'Vt': ('volt', mV, lambda m: m['v_thresh_mV']),
    'Vr': ('volt', mV, lambda m: m['v_reset_mV']), 'Cm': ('farad', nF, lambda m: m['cm_nF']),
    'taue': ('second', ms, lambda m: m['tau_syn_e_ms']), 'taui': ('second', ms, lambda m: m['tau_syn_i_ms']),
    'I0': ('amp', nA, lambda m: m['i_offset_nA']), 'tref': ('second', ms, lambda m: m['tau_refrac_ms']),
}
PARAMETERS = {
    'lif': {**_COMMON, 'taum': ('second', ms, lambda m: m['tau_m_ms'])},
    'lif_cond': {**_COMMON, 'gl': ('siemens', uS, lambda m: m['cm_nF'] / m['tau_m_ms']),
                 'Ee': ('volt', mV, lambda m: m['e_rev_e_mV']), 'Ei': ('volt', mV, lambda m: m['e_rev_i_mV'])},
}
# State variables: HASN initial key -> (Brian2 variable, unit); exc and inh receptor variables; weight unit
STATE = {'lif': {'v_mV': ('v', mV), 'ie_nA': ('ie', nA), 'ii_nA': ('ii', nA)},
         'lif_cond': {'v_mV': ('v', mV), 'ge_uS': ('ge', uS), 'gi_uS': ('gi', uS)}}
RECEPTORS = {'lif': ('ie', 'ii', nA), 'lif_cond': ('ge', 'gi', uS)}


class Unsupported(Exception):
    pass


def constant(value, where):
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict) and value.get('dist') == 'constant':
        return float(value['value'])
    raise Unsupported(f'{where}: only constant values can be compared spike by spike')


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


class Layout:
    """Places every case's neurons in one group per model and collects parameters, input, synapses."""

    def __init__(self, dt_ms):
        self.dt_ms = dt_ms
        self.size = {'lif': 0, 'lif_cond': 0, 'spike_source': 0}
        self.values = {kind: {name: [] for name in list(PARAMETERS[kind]) + [v for v, _ in STATE[kind].values()]}
                       for kind in PARAMETERS}
        self.owner = {kind: [] for kind in self.size}       # group index -> (case, case-global neuron)
        self.generator = ([], [])                            # (group indices, steps)
        self.synapses = {}                                   # (src kind, tgt kind, variable) -> lists
        self.record = {'lif': [], 'lif_cond': []}

    def add_case(self, c, case):
        spec = case['spec']
        where = {}  # population id -> (kind, first group index, first case-global index, population)
        first = 0
        for pop in spec['populations']:
            kind = pop['model']['type']
            where[pop['id']] = (kind, self._add_population(c, pop, first), first, pop)
            first += pop['size']

        def locate(g):
            for kind, start, lo, pop in where.values():
                if lo <= g < lo + pop['size']:
                    return kind, start + g - lo
            raise Unsupported(f'case {case["name"]}: neuron {g} does not exist')

        for step, g in case.get('inject', []):
            kind, index = locate(g)
            if kind != 'spike_source':
                raise Unsupported(f'case {case["name"]}: inject neuron {g} is not in a spike_source population')
            self.generator[0].append(index)
            self.generator[1].append(step)
        for g in case.get('record_v', []):
            kind, index = locate(g)
            if kind not in self.record:
                raise Unsupported(f'case {case["name"]}: neuron {g} has no v')
            self.record[kind].append(index)
        for proj in spec.get('projections', []):
            self._add_projection(case['name'], proj, where)

    def _add_population(self, c, pop, first):
        m, kind, size = pop['model'], pop['model']['type'], pop['size']
        if kind not in self.size:
            raise Unsupported(f'population {pop["id"]}: model {kind} has no Brian2 translation here')
        start = self.size[kind]
        self.size[kind] += size
        self.owner[kind] += [(c, first + k) for k in range(size)]
        if kind == 'spike_source':
            return start
        if m.get('threshold_adaptation'):
            raise Unsupported(f'population {pop["id"]}: threshold_adaptation has no Brian2 translation here')
        if kind == 'lif' and m['tau_m_ms'] in (m['tau_syn_e_ms'], m['tau_syn_i_ms']):
            # The symbolic solution divides by (taum - taus); HASN's kernel uses the limit there.
            raise Unsupported(f'population {pop["id"]}: tau_syn equal to tau_m is not translated')
        for name, (_, _, value_of) in PARAMETERS[kind].items():
            self.values[kind][name] += [value_of(m)] * size
        initial = dict(pop.get('initial', {}))
        for key in initial:
            if key not in STATE[kind]:
                raise Unsupported(f'population {pop["id"]}: initial {key} is not a {kind} variable')
        for key, (variable, _) in STATE[kind].items():
            # HASN starts v at rest and the synaptic variables at 0 unless `initial` says otherwise
            default = m['v_rest_mV'] if variable == 'v' else 0.0
            value = constant(initial[key], f'population {pop["id"]} initial {key}') if key in initial else default
            self.values[kind][variable] += [value] * size
        return start

    def _add_projection(self, case_name, proj, where):
        label = f'case {case_name} projection {proj["id"]}'
        if proj.get('plasticity'):
            raise Unsupported(f'{label}: plasticity has no Brian2 translation here')
        src_kind, src_start, _, src = where[proj['source']]
        tgt_kind, tgt_start, _, tgt = where[proj['target']]
        if tgt_kind not in RECEPTORS:
            raise Unsupported(f'{label}: a {tgt_kind} population cannot receive synapses')
        exc, inh, _ = RECEPTORS[tgt_kind]
        variable = exc if proj.get('receptor', 'exc') == 'exc' else inh
        weight = constant(proj['weight'], f'{label} weight')
        delay_ms = constant(proj.get('delay_ms', self.dt_ms), f'{label} delay_ms')
        lists = self.synapses.setdefault((src_kind, tgt_kind, variable), ([], [], [], []))
        for p in pairs_of(proj['connector'], src['size'], tgt['size'], label):
            lists[0].append(src_start + p[0])
            lists[1].append(tgt_start + p[1])
            lists[2].append(max(0.0, p[2]) if len(p) > 2 else weight)
            lists[3].append(max(1, round((p[3] if len(p) > 3 else delay_ms) / self.dt_ms)))

    def build(self):
        groups = {}
        for kind in PARAMETERS:
            if self.size[kind] == 0:
                continue
            declarations = ''.join(f'{name} : {dim} (constant)\n' for name, (dim, _, _) in PARAMETERS[kind].items())
            group = NeuronGroup(self.size[kind], EQUATIONS[kind] + declarations, threshold='v > Vt',
                                reset='v = Vr', refractory='tref', method=METHODS[kind], name=kind)
            units = {**{n: u for n, (_, u, _) in PARAMETERS[kind].items()}, **{v: u for v, u in STATE[kind].values()}}
            for name, values in self.values[kind].items():
                setattr(group, name, np.asarray(values) * units[name])
            groups[kind] = group
        if self.size['spike_source'] > 0:
            indices, steps = self.generator
            groups['spike_source'] = SpikeGeneratorGroup(self.size['spike_source'], indices,
                                                         np.asarray(steps, dtype=float) * self.dt_ms * ms,
                                                         name='spike_source')
        synapses = []
        for k, ((src_kind, tgt_kind, variable), (i, j, w, d)) in enumerate(self.synapses.items()):
            syn = Synapses(groups[src_kind], groups[tgt_kind], model='w : 1',
                           on_pre=f'{variable}_post += w * weight_unit',
                           namespace={'weight_unit': RECEPTORS[tgt_kind][2]}, name=f'synapses_{k}')
            syn.connect(i=np.asarray(i), j=np.asarray(j))
            syn.w = np.asarray(w)
            syn.delay = (np.asarray(d) - 1) * self.dt_ms * ms
            synapses.append(syn)
        return groups, synapses


def run_cases(cases):
    dts = {case['spec']['dt_ms'] for case in cases}
    if len(dts) != 1:
        raise Unsupported(f'all cases must share one dt_ms, got {sorted(dts)}')
    dt_ms = dts.pop()
    defaultclock.dt = dt_ms * ms
    layout = Layout(dt_ms)
    for c, case in enumerate(cases):
        layout.add_case(c, case)
    groups, synapses = layout.build()
    spike_monitors = {kind: SpikeMonitor(g, name=f'{kind}_spikes') for kind, g in groups.items()}
    # when='end': after the reset, i.e. the state HASN holds after the step
    v_monitors = {kind: StateMonitor(groups[kind], 'v', record=layout.record[kind], when='end', name=f'{kind}_v')
                  for kind in layout.record if layout.record[kind]}
    steps = max(case['steps'] for case in cases)
    Network(*groups.values(), *synapses, *spike_monitors.values(), *v_monitors.values()).run(
        steps * dt_ms * ms, namespace={})

    results = [{'name': case['name'], 'spikes': [], 'v': {}} for case in cases]
    for kind, mon in spike_monitors.items():
        for step, index in zip(np.rint(np.asarray(mon.t / ms) / dt_ms).astype(int), np.asarray(mon.i)):
            c, neuron = layout.owner[kind][index]
            if step < cases[c]['steps']:
                results[c]['spikes'].append([int(step), neuron])
    for kind, mon in v_monitors.items():
        for row, index in enumerate(layout.record[kind]):
            c, neuron = layout.owner[kind][index]
            results[c]['v'][str(neuron)] = [float(x) for x in np.asarray(mon.v[row] / mV)[:cases[c]['steps']]]
    for r in results:
        r['spikes'].sort()
    return results


def main():
    out = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)  # anything Brian2 prints goes to stderr; stdout carries only the result
    sys.stdout = sys.stderr
    prefs.codegen.target = 'numpy'
    try:
        results = run_cases(json.load(sys.stdin)['cases'])
    except Unsupported as err:
        sys.stderr.write(f'unsupported: {err}\n')
        sys.exit(EXIT_UNSUPPORTED)
    out.write(json.dumps({'cases': results}) + '\n')
    out.flush()


if __name__ == '__main__':
    main()
