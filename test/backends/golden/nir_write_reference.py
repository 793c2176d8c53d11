#!/usr/bin/env python3
"""Writes a .nir file with h5py the way the nir package does (nir/serialization.py write()): an independent
writer for the importer's tests. Datasets are gzip-compressed numpy arrays, strings are variable-length UTF-8,
edges a list of (str, str) tuples, node groups in h5py's default (alphabetical) order.

argv: a JSON object {output path: graph}; a graph is {"nodes": {name: {"type": str, params...}}, "edges": [[a, b], ...]}
where each param is a list (1-D or nested 2-D) of floats, or {"int": [...]} for integer arrays.
"""
import json
import sys

import h5py
import numpy as np


def write(path, graph):
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.6", dtype=h5py.string_dtype())
        root = f.create_group("node")
        root.create_dataset("type", data="NIRGraph", dtype=h5py.string_dtype())
        nodes = root.create_group("nodes")
        for name, node in graph["nodes"].items():
            g = nodes.create_group(name)
            for key, value in node.items():
                if key == "type":
                    g.create_dataset("type", data=value, dtype=h5py.string_dtype())
                elif isinstance(value, dict):
                    data = np.array(value["int"], dtype=np.int64)
                    g.create_dataset(key, data=data, dtype=data.dtype, compression="gzip")
                else:
                    data = np.array(value, dtype=np.float64)
                    g.create_dataset(key, data=data, dtype=data.dtype, compression="gzip")
        root.create_dataset("edges", data=[tuple(e) for e in graph["edges"]])


if __name__ == "__main__":
    for path, graph in json.loads(sys.argv[1]).items():
        write(path, graph)
