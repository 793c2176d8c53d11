#!/usr/bin/python3
"""HASN's Brian2 reference: the CUBA network (Brette et al. 2007, benchmark 2; Brian2's examples/CUBA.py).

N current-based LIF neurons (80 % excitatory), synaptic currents expressed in volts (times the
membrane resistance), every ordered pair connected with p = 80/N, no delays, no external input.
El = -49 mV lies above the threshold, so neurons fire on their own and recurrent inhibition sets the
rate. Exact integration (the system is linear), threshold v > Vt, reset v = Vr, 5 ms refractory.
HASN's examples/cuba.json is this network (cm = 1 nF, so 1 nA of current is 20 mV of these units).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/brian2/cuba.py --duration 10 --repeat 3 --seed 1
"""
import sys
import warnings

sys.dont_write_bytecode = True
warnings.filterwarnings('ignore', category=FutureWarning)  # Debian's pythran with numpy 1.24
try:
    # Imported here, at the top level, before reference_bench: see that module's docstring.
    from brian2 import NeuronGroup, Synapses, mV, ms
except ImportError as err:
    sys.stderr.write(f'brian2 is not importable by {sys.executable}: {err}\n')
    sys.exit(3)  # reference_bench.EXIT_BRIAN2_MISSING

import reference_bench  # noqa: E402

PARAMS = {
    'taum': 20 * ms, 'taue': 5 * ms, 'taui': 10 * ms,
    'Vt': -50 * mV, 'Vr': -60 * mV, 'El': -49 * mV,
    'we': (60 * 0.27 / 10) * mV,   # 1.62 mV
    'wi': (-20 * 4.5 / 10) * mV,   # -9 mV
}
EQUATIONS = '''
dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
dge/dt = -ge / taue : volt
dgi/dt = -gi / taui : volt
'''


def build(args, n_exc, n_inh, p):
    group = NeuronGroup(args.neurons, EQUATIONS, threshold='v > Vt', reset='v = Vr',
                        refractory=5 * ms, method='exact', namespace=PARAMS, name='neurons')
    group.v = 'Vr + rand() * (Vt - Vr)'   # uniform in [Vr, Vt); ge = gi = 0
    group.ge = 0 * mV
    group.gi = 0 * mV
    exc_to_all = Synapses(group[:n_exc], group, on_pre='ge += we', namespace=PARAMS, name='exc_to_all')
    inh_to_all = Synapses(group[n_exc:], group, on_pre='gi += wi', namespace=PARAMS, name='inh_to_all')
    exc_to_all.connect(p=p)
    inh_to_all.connect(p=p)
    return group, [exc_to_all, inh_to_all]


if __name__ == '__main__':
    reference_bench.run_model('CUBA', build, reference_bench.parse_args('Brian2 CUBA reference benchmark'))
