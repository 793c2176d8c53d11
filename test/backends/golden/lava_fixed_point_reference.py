#!/usr/bin/env python3
"""Golden vectors for the loihi emulator: Lava's fixed-point CPU models re-implemented in numpy.

How the golden vectors are produced (read this before trusting them):
  Lava itself is not installable here (it is not packaged for Debian and there is no PyPI access),
  so this script re-implements, from Lava's published source (lava-nc/lava, src/lava/proc/lif/models.py
  AbstractPyLifModelFixed + PyLifModelBitAcc, src/lava/proc/dense/models.py PyDenseModelBitAcc,
  src/lava/utils/weightutils.py clip_weights/truncate_weights, src/lava/proc/io/source.py RingBuffer,
  src/lava/magma/core/model/py/ports.py PyInPortVectorDense.recv), the integer arithmetic of one time
  step with numpy arrays of the same dtypes Lava uses: int32 state and channels (a channel takes the
  dtype of its source port: int32 for Dense.a_out), int64 decay products, numpy's own shifts, clips and
  int32 wrap-around. It is independent of the TypeScript emulator (different language, numpy's dtype
  rules do the wrapping) but it is NOT Lava: if Lava changes, or if this reading of it is wrong, both
  could agree and still differ from Lava.

Input (stdin, JSON): {"cases": [case, ...]}; a case is
  {"steps": T, "trace": bool,
   "populations": [{"kind": "lif", "size": n, "du": int, "dv": int, "vth": int,
                    "bias_mant": [n ints], "bias_exp": [n ints], "u": [n ints], "v": [n ints]}
                   | {"kind": "input", "size": n, "spikes": [[step, local index], ...]}],
   "dense": [{"source": p, "target": q, "weights": [[in-size ints] x out-size], "weight_exp": int,
              "num_weight_bits": int, "sign_mode": "mixed" | "excitatory" | "inhibitory"}]}
Steps are numbered from 0 (Lava's time_step 1). Global neuron indices number the populations in order.
Output (stdout, JSON): {"results": [{"spikes": [[step, global], ...], "u": [...], "v": [...]}]}, where
u and v are the final states of all LIF neurons (concatenated) or, with "trace", one such list per step.
"""
import json
import sys

import numpy as np

DECAY_SHIFT = 12
DECAY_UNITY = 2 ** DECAY_SHIFT
MAX_UV = 2 ** 23


def magnitude_shift_product(state, decay_const):
    """state * (4096 - decay) in int64, magnitude shifted right by 12, back to int32."""
    product = state.astype(np.int64) * (DECAY_UNITY - decay_const)
    return (np.sign(product) * np.right_shift(np.abs(product), DECAY_SHIFT)).astype(np.int32)


class LifBitAcc:
    def __init__(self, p):
        n = p["size"]
        self.u = np.array(p["u"], dtype=np.int32).reshape(n)
        self.v = np.array(p["v"], dtype=np.int32).reshape(n)
        self.du = np.uint16(p["du"])
        self.dv = np.uint16(p["dv"])
        self.vth = int(p["vth"])
        self.bias_mant = np.array(p["bias_mant"], dtype=np.int16).reshape(n)
        self.bias_exp = np.array(p["bias_exp"], dtype=np.int16).reshape(n)
        self.size = n
        self.inputs = []  # channels from Dense processes (int32 arrays)

    def receive(self):
        total = np.zeros(self.size, dtype=np.int16)
        for channel in self.inputs:
            total = total + channel
        return total

    def run_spk(self, a_in):
        mant = self.bias_mant.astype(np.int32)
        bias = np.where(self.bias_exp >= 0, np.left_shift(mant, self.bias_exp), np.right_shift(mant, -self.bias_exp))
        threshold = np.left_shift(self.vth, 6)
        current = magnitude_shift_product(self.u, self.du + 1)
        current += np.left_shift(a_in, 6)
        wrapped = np.where(current > MAX_UV, current - 2 * MAX_UV, current)
        wrapped = np.where(wrapped <= -MAX_UV, current + 2 * MAX_UV, wrapped)
        self.u[:] = wrapped
        voltage = magnitude_shift_product(self.v, self.dv + 0)
        voltage = voltage + self.u + bias
        self.v[:] = np.clip(voltage, -np.int32(MAX_UV) + 1, np.int32(MAX_UV) - 1)
        fired = self.v > threshold
        self.v[fired] = 0
        return fired


class InputBuffer:
    def __init__(self, p, steps):
        self.data = np.zeros((p["size"], max(steps, 1)), dtype=np.int32)
        for step, index in p["spikes"]:
            if step < steps:
                self.data[index, step] = 1
        self.size = p["size"]

    def run_spk(self, step):
        return self.data[:, step] != 0


class DenseBitAcc:
    def __init__(self, d):
        weights = np.array(d["weights"], dtype=np.int32)
        mode = d["sign_mode"]
        mixed = 1 if mode == "mixed" else 0
        if mode == "inhibitory":
            weights = -weights
        weights = np.clip(weights, -(2 ** 8) * mixed, 2 ** 8 - 1)
        truncate = 8 - d["num_weight_bits"] + mixed
        weights = np.left_shift(np.right_shift(weights, truncate), truncate)
        if mode == "inhibitory":
            weights = -weights
        self.weights = weights
        self.weight_exp = int(d["weight_exp"])
        self.buffer = np.zeros(weights.shape[0], dtype=np.int32)

    def send(self):
        channel = np.zeros(self.buffer.shape, dtype=np.int32)
        channel[:] = self.buffer  # the int32 channel: int64 values wrap here
        return channel

    def run_spk(self, spiked):
        summed = self.weights[:, spiked.astype(bool)].sum(axis=1)
        if self.weight_exp > 0:
            self.buffer = np.left_shift(summed, self.weight_exp)
        else:
            self.buffer = np.right_shift(summed, -self.weight_exp)


def run_case(case):
    steps = case["steps"]
    pops = [LifBitAcc(p) if p["kind"] == "lif" else InputBuffer(p, steps) for p in case["populations"]]
    offsets = np.cumsum([0] + [p.size for p in pops])
    dense = [DenseBitAcc(d) for d in case["dense"]]
    spikes, u_trace, v_trace = [], [], []
    lif = [p for p in pops if isinstance(p, LifBitAcc)]
    for step in range(steps):
        for p in lif:
            p.inputs = []
        for d, spec in zip(dense, case["dense"]):
            pops[spec["target"]].inputs.append(d.send())
        fired = []
        for k, p in enumerate(pops):
            f = p.run_spk(p.receive()) if isinstance(p, LifBitAcc) else p.run_spk(step)
            fired.append(f)
            spikes.extend([step, int(offsets[k] + i)] for i in np.nonzero(f)[0])
        for d, spec in zip(dense, case["dense"]):
            d.run_spk(fired[spec["source"]])
        if case.get("trace"):
            u_trace.append([int(x) for p in lif for x in p.u])
            v_trace.append([int(x) for p in lif for x in p.v])
    if not case.get("trace"):
        u_trace = [int(x) for p in lif for x in p.u]
        v_trace = [int(x) for p in lif for x in p.v]
    return {"spikes": spikes, "u": u_trace, "v": v_trace}


def main():
    batch = json.load(sys.stdin)
    json.dump({"results": [run_case(c) for c in batch["cases"]]}, sys.stdout)


if __name__ == "__main__":
    main()
