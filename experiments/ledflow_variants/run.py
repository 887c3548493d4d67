"""LED-flow gain variants on NAS-Bench-201, judged on CIFAR-10 *validation* accuracy only.

LED-flow's gains (proofs/led-flow.md) are modelling choices: conv k×k multiplies the
local-entropy scale by k^a, o×o pooling by o^-b, a skip by s. This script lists every
variant of the grid a ∈ {0, 0.5, 1, 2}, b ∈ {0, 1, 2}, s ∈ {0.25, 0.5, 0.75, 1} with its
Spearman ρ against `cifar10_valid_val` on the protocol's NB201 *design* half only (the
cells whose FNV-1a-64 hash of the canonical architecture text has top bit 0, 7,716 of
15,625; docs/benchmark-protocol.md; a cell whose output is cut off scores −∞ and ranks
last, as in the Rust scorer), and, for reference only, on all cells (`spearman_valid_all`,
which no choice may use). The shipped default is a = 1, b = 2, s = 0.75.

Parsing, the split and Spearman ρ come from the sednas package (the Rust library:
`sednas.nb201_ops`, `sednas.protocol_half`, `sednas.evaluate`). The flow recursion `flow`
below is a deliberate independent re-implementation: it is the only place the exponents a
and b are varied, and for the shipped gains it is checked here against the Rust scorer
(`sednas.score(proxy="led-flow")` = flow + the mean over the three stages of log2 of their
channels, 16/32/64, i.e. + 5; the run stops if any cell differs by more than 1e-9).

Run: python experiments/ledflow_variants/run.py [DATA_DIR] > results/ledflow-variants/variants.csv
(DATA_DIR default $SEDNAS_DATA or ../shared/data; needs numpy and the sednas package,
`pip install ./python`.)
"""
import csv
import itertools
import math
import os
import sys

import numpy as np

import sednas

data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SEDNAS_DATA", "../shared/data")
rows = list(csv.DictReader(open(os.path.join(data, "nb201_cifar10_valid_acc_nb201v1_0.csv"))))
acc = np.array([float(r["cifar10_valid_val"]) for r in rows])
archs = [r["arch_str"] for r in rows]
# edge j <- i of each cell at position j(j-1)/2 + i, as the library parses it
cells = sednas.nb201_ops(archs)
design = np.array([h == "design" for h in sednas.protocol_half(archs)])


def flow(ops, a, b, s):
    """log2 of the output flow V_3 of one NB201 cell (a deliberate independent
    re-implementation of the recursion of proofs/led-flow.md, with the gains varied)."""
    # conv k^a (1×1: 1 for every a), pooling o^-b with o = 3 (b = 2: the shipped 1/o²)
    gain = {"nor_conv_3x3": 3.0**a, "nor_conv_1x1": 1.0, "avg_pool_3x3": 3.0 ** (-b),
            "skip_connect": s, "none": 0.0}
    v = [1.0, 0.0, 0.0, 0.0]
    for j in range(1, 4):
        v[j] = sum(v[i] * gain[ops[j * (j - 1) // 2 + i]] for i in range(j))
    return math.log2(v[3]) if v[3] > 0 else -math.inf


def spearman(score, truth):
    return sednas.evaluate(score, truth)["spearman"]


# the cross-check: the shipped gains against the Rust scorer, cell by cell
shipped = np.array([flow(c, 1.0, 2, 0.75) for c in cells])
rust = sednas.score(archs, proxy="led-flow")
cut = ~np.isfinite(shipped)
assert (cut == ~np.isfinite(rust)).all(), "cells cut off differ from the Rust scorer's"
assert np.abs(shipped[~cut] + 5.0 - rust[~cut]).max() < 1e-9, "flow differs from the Rust scorer"

print("conv_exponent_a,pool_exponent_b,skip_gain_s,spearman_valid_design,spearman_valid_all,shipped")
for a, b, s in itertools.product([0.0, 0.5, 1.0, 2.0], [0, 1, 2], [0.25, 0.5, 0.75, 1.0]):
    sc = np.array([flow(c, a, b, s) for c in cells])
    # rounded so that sums taken in another order tie exactly; a cell cut off keeps −inf,
    # which sednas.evaluate ranks below every number
    sc = np.round(sc, 9)
    rho = spearman(sc[design], acc[design])
    rho_all = spearman(sc, acc)
    print(f"{a},{b},{s},{rho:.4f},{rho_all:.4f},{int((a, b, s) == (1.0, 2, 0.75))}")
