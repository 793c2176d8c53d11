"""Shared runner of HASN's Brian2 reference benchmarks (coba.py, cuba.py): options, device, timing, JSON result.

The model scripts define the network; this module selects the Brian2 device, runs it (several
repetitions and/or several seeds), and prints one JSON object per seed. Run with Debian's
/usr/bin/python3 (package python3-brian, Brian2 2.5.1). The model script must import brian2
itself before importing this module: with Debian's Cython 0.29 a first import of brian2 from
inside another module's import is several times slower.

Timing: `wall_s` is Brian2's own measurement of the simulation loop only (`device._last_run_time`):
std::clock() around the C++ loop for a serial cpp_standalone build, omp_get_wtime() for an OpenMP
build, time.time() around the Python loop over the compiled code objects for runtime targets.
Code generation, compilation and network construction are excluded; `build_s` is everything of
the first repetition (construction, code generation, compilation, run).
"""
import argparse
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import brian2
from brian2 import Network, SpikeMonitor, defaultclock, get_device, ms, prefs, second, set_device

# Exit code the TypeScript runner maps to E_BRIAN2_MISSING (see coba.py / cuba.py).
EXIT_BRIAN2_MISSING = 3
# Every neuron gets 80 incoming synapses on average (64 exc + 16 inh), as in the 4000-neuron original.
MEAN_IN_DEGREE = 80
DEFAULT_CYTHON_CACHE = os.path.join(tempfile.gettempdir(), 'hasn-brian2-cython')


def parse_args(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument('--neurons', type=int, default=4000, help='N; 80 %% excitatory, p = 80/N')
    ap.add_argument('--duration', type=float, default=1.0, help='simulated seconds')
    ap.add_argument('--target', default='cpp_standalone', choices=['cpp_standalone', 'cython', 'numpy'])
    ap.add_argument('--threads', type=int, default=1,
                    help='cpp_standalone: 1 = serial build without OpenMP, K > 1 = OpenMP with K threads')
    ap.add_argument('--seed', type=int, default=None, help='seed of connectivity and initial values')
    ap.add_argument('--seeds', default=None,
                    help='comma-separated seeds, each a separate network in this one process (runtime targets); '
                         'prints one JSON object per seed')
    ap.add_argument('--repeat', type=int, default=1, help='simulate R times per seed, report the median wall_s')
    ap.add_argument('--dt', type=float, default=0.1, help='time step in ms')
    ap.add_argument('--json', action='store_true', help='print results as JSON (one object per line and seed)')
    ap.add_argument('--cython-cache', default=DEFAULT_CYTHON_CACHE, help='where Cython keeps compiled modules')
    args = ap.parse_args()
    if args.neurons < 5:
        ap.error('--neurons must be at least 5')
    if args.duration <= 0 or args.dt <= 0:
        ap.error('--duration and --dt must be positive')
    if args.repeat < 1 or args.threads < 1:
        ap.error('--repeat and --threads must be at least 1')
    if args.threads > 1 and args.target != 'cpp_standalone':
        ap.error('--threads > 1 needs --target cpp_standalone')
    if args.seeds is not None and args.seed is not None:
        ap.error('give --seed or --seeds, not both')
    if args.seeds is not None:
        try:
            args.seed_list = [int(s) for s in args.seeds.split(',') if s.strip() != '']
        except ValueError:
            ap.error('--seeds takes integers separated by commas')
        if not args.seed_list:
            ap.error('--seeds is empty')
        # A standalone binary has its seed compiled in: one compilation per seed, so one invocation per seed.
        if args.target == 'cpp_standalone' and len(args.seed_list) > 1:
            ap.error('--seeds with several seeds needs a runtime target (cython or numpy)')
    else:
        args.seed_list = [args.seed]
    return args


def population_sizes(n):
    n_exc = int(round(0.8 * n))
    return n_exc, n - n_exc, min(1.0, MEAN_IN_DEGREE / n)


def run_model(name, build, args):
    """Runs the model built by `build(args, n_exc, n_inh, p) -> (group, [synapses])` for every seed.

    `group` holds neurons 0..n_exc-1 excitatory, the rest inhibitory; its objects must have fixed
    names (no `*`) so that the Cython modules compiled for the first seed serve every later one.
    """
    # Everything Brian2, Cython, make or g++ print goes to stderr; stdout carries only the results.
    result_out = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # A SIGTERM (the runner's timeout) exits through `finally`, so the temporary build directory goes away.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    n_exc, n_inh, p = population_sizes(args.neurons)
    for seed in args.seed_list:
        result = _run_seed(name, build, args, seed, n_exc, n_inh, p)
        if args.json:
            result_out.write(json.dumps(_finite(result), allow_nan=False) + '\n')
        else:
            result_out.write(_summary(result) + '\n')
        result_out.flush()


def _run_seed(name, build, args, seed, n_exc, n_inh, p):
    standalone = args.target == 'cpp_standalone'
    project_dir = tempfile.mkdtemp(prefix='hasn-brian2-') if standalone else None
    walls, timing = [], {}
    try:
        if standalone:
            set_device('cpp_standalone', directory=project_dir, build_on_run=False)
            prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
        else:
            prefs.codegen.target = args.target
            prefs.codegen.runtime.cython.cache_dir = args.cython_cache
        defaultclock.dt = args.dt * ms  # after set_device, which resets the default clock
        t0 = time.perf_counter()
        for rep in range(args.repeat):
            if standalone and rep > 0:
                # The compiled program rebuilds the same network from its compiled-in seed.
                get_device().run(project_dir, with_output=False, run_args=[])
            else:
                if seed is not None:
                    brian2.seed(seed)  # the same network in every repetition
                synapses, monitor = _simulate(build, args, n_exc, n_inh, p)
            if standalone and rep == 0:
                get_device().build(directory=project_dir, compile=True, run=True, with_output=False)
                timing['compile_s'] = get_device().timers['compile']['make']
            walls.append(get_device()._last_run_time)
            if rep == 0:
                timing['build_s'] = time.perf_counter() - t0
            # Read out now: the next repetition reuses the object names, so nothing of this one may stay alive.
            counts = np.asarray(monitor.count[:])
            n_syn = int(sum(len(s) for s in synapses))
            if not standalone:
                del synapses, monitor
    finally:
        if standalone:
            shutil.rmtree(project_dir, ignore_errors=True)
    return _result(name, args, seed, n_exc, n_inh, p, n_syn, walls, counts, timing)


def _simulate(build, args, n_exc, n_inh, p):
    """Builds the model with a counting spike monitor and runs it (in standalone mode: records the run)."""
    group, synapses = build(args, n_exc, n_inh, p)
    monitor = SpikeMonitor(group, record=False, name='spike_counts')  # per-neuron counts only
    Network(group, *synapses, monitor).run(args.duration * second, namespace={})
    return synapses, monitor


def _result(name, args, seed, n_exc, n_inh, p, n_syn, walls, counts, timing):
    n, t = args.neurons, args.duration
    spikes = int(counts.sum())
    wall_s = float(statistics.median(walls))
    standalone = args.target == 'cpp_standalone'
    return {
        'network': name,
        'simulator': 'brian2',
        'neurons': n, 'n_exc': n_exc, 'n_inh': n_inh,
        'connection_probability': p,
        'synapses': n_syn,
        'duration_s': t, 'dt_ms': args.dt, 'steps': int(round(t * 1000.0 / args.dt)),
        'target': args.target, 'threads': args.threads, 'seed': seed, 'repeats': args.repeat,
        'wall_s': wall_s,
        'wall_s_all': [float(w) for w in walls],
        'wall_s_source': ('std::clock() around the C++ loop (serial build)' if standalone and args.threads == 1
                          else 'omp_get_wtime() around the C++ loop (OpenMP build)' if standalone
                          else 'time.time() around the Python loop over compiled code objects'),
        'real_time_factor': t / wall_s if wall_s > 0 else None,
        'build_s': timing['build_s'],
        'compile_s': timing.get('compile_s'),
        'spikes': spikes,
        'mean_rate_hz': spikes / (n * t),
        'rate_exc_hz': float(counts[:n_exc].sum()) / (n_exc * t),
        'rate_inh_hz': float(counts[n_exc:].sum()) / (n_inh * t) if n_inh else None,
        'host': _host(),
    }


def _host():
    cpu = platform.processor()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next((line.split(':', 1)[1].strip() for line in f if line.startswith('model name')), cpu)
    except OSError:
        pass
    try:
        gxx = subprocess.run(['g++', '--version'], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        gxx = None
    return {'cpu': cpu, 'logical_cpus': os.cpu_count(), 'python': platform.python_version(),
            'brian2': brian2.__version__, 'numpy': np.__version__, 'gxx': gxx}


def _finite(value):
    """Strict JSON: numpy scalars become Python numbers, NaN/Infinity become null."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def _summary(r):
    return (f"{r['network']} N={r['neurons']} synapses={r['synapses']} T={r['duration_s']} s dt={r['dt_ms']} ms "
            f"target={r['target']} threads={r['threads']} seed={r['seed']}: "
            f"wall_s={r['wall_s']:.4f} (all {', '.join(f'{w:.4f}' for w in r['wall_s_all'])}) "
            f"RTF={r['real_time_factor']:.3f} build_s={r['build_s']:.2f} "
            f"rate={r['mean_rate_hz']:.3f} Hz (exc {r['rate_exc_hz']:.3f}, inh {r['rate_inh_hz']:.3f})")
