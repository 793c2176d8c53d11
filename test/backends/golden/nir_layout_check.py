#!/usr/bin/env python3
"""Checks a .nir file against the HDF5 layout of the nir package (nir/serialization.py), with h5py only.

Prints a JSON report: {"ok": bool, "problems": [...], "version": str, "nodes": {name: {"type": str,
"datasets": {name: [dtype kind, shape]}}}, "edges": [[src, dst], ...]}. Rules checked: root holds exactly
`version` (string) and group `node`; `node` holds exactly `type` == "NIRGraph", group `nodes`, dataset
`edges` (E x 2 strings naming nodes); each node group holds `type` (string) and exactly the parameter
datasets of its type: 1-D float arrays of one length for neurons, a 2-D float `weight` for Linear,
an integer `shape` for Input/Output; no attributes anywhere, no other objects.
"""
import json
import sys

import h5py
import numpy as np

PARAMS = {
    "CubaLIF": {"tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"},
    "LIF": {"tau", "r", "v_leak", "v_threshold", "v_reset"},
    "Linear": {"weight"},
    "Affine": {"weight", "bias"},
    "Input": {"shape"},
    "Output": {"shape"},
}


def is_string(ds):
    return h5py.check_string_dtype(ds.dtype) is not None and ds.shape == ()


def main(path):
    problems = []
    report = {"nodes": {}, "edges": []}
    with h5py.File(path, "r") as f:
        if set(f.keys()) != {"version", "node"}:
            problems.append(f"root holds {sorted(f.keys())}")
        if not is_string(f["version"]):
            problems.append("version is not a scalar string")
        report["version"] = f["version"][()].decode("utf8")
        node = f["node"]
        if set(node.keys()) != {"type", "nodes", "edges"}:
            problems.append(f"node holds {sorted(node.keys())}")
        if node["type"][()] != b"NIRGraph":
            problems.append("node/type is not NIRGraph")
        names = set(node["nodes"].keys())
        for name, group in node["nodes"].items():
            if not isinstance(group, h5py.Group):
                problems.append(f"{name} is not a group")
                continue
            kind = group["type"][()].decode("utf8") if "type" in group and is_string(group["type"]) else None
            if kind not in PARAMS:
                problems.append(f"{name}: unknown or missing type {kind}")
                continue
            datasets = {k: [group[k].dtype.kind, list(group[k].shape)] for k in group.keys() if k != "type"}
            report["nodes"][name] = {"type": kind, "datasets": datasets}
            if set(datasets) != PARAMS[kind]:
                problems.append(f"{name}: datasets {sorted(datasets)} != {sorted(PARAMS[kind])}")
            if kind in ("CubaLIF", "LIF"):
                lengths = {tuple(s) for _, s in datasets.values()}
                if len(lengths) != 1 or len(next(iter(lengths))) != 1 or any(k != "f" for k, _ in datasets.values()):
                    problems.append(f"{name}: parameters are not 1-D float arrays of one length")
            if kind == "Linear" and (datasets["weight"][0] != "f" or len(datasets["weight"][1]) != 2):
                problems.append(f"{name}: weight is not a 2-D float array")
            if kind in ("Input", "Output") and (datasets["shape"][0] != "i" or datasets["shape"][1] != [1]):
                problems.append(f"{name}: shape is not a 1-element integer array")
        edges = node["edges"]
        if h5py.check_string_dtype(edges.dtype) is None or len(edges.shape) != 2 or edges.shape[1] != 2:
            problems.append(f"edges has dtype {edges.dtype} shape {edges.shape}")
        for a, b in edges[()]:
            a, b = a.decode("utf8"), b.decode("utf8")
            report["edges"].append([a, b])
            if a not in names or b not in names:
                problems.append(f"edge {a} -> {b} names a missing node")

        def no_attrs(name, obj):
            if len(obj.attrs) > 0:
                problems.append(f"{name} has attributes")
        f.visititems(no_attrs)
    report["ok"] = not problems
    report["problems"] = problems
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
