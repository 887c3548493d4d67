"""LED-flow gain variants on NAS-Bench-201, judged on CIFAR-10 *validation* accuracy only.

LED-flow's gains (proofs/led-flow.md) are modelling choices: conv k×k multiplies the
local-entropy scale by k^a, o×o pooling by o^-b, a skip by s. This script lists every
variant of the grid a ∈ {0, 0.5, 1, 2}, b ∈ {0, 1, 2}, s ∈ {0.25, 0.5, 0.75, 1} with its
Spearman ρ against `cifar10_valid_val` on the protocol's NB201 *design* half only (the
cells whose FNV-1a-64 hash of the canonical architecture text has top bit 0, 7,812 of
15,625; docs/benchmark-protocol.md; a cell whose output is cut off scores −∞ and ranks
last, as in the Rust scorer), and, for reference only, on all cells (`spearman_valid_all`,
which no choice may use). The shipped default is a = 1, b = 2, s = 0.75.

The NB201 parser and the flow recursion here are a deliberate independent re-implementation
(a cross-check of the Rust scorer for the shipped gains, and the only place the exponents a
and b are varied); the split hash is the protocol's own (sednas::eval::benchmark::fnv1a64).

Run: python experiments/ledflow_variants/run.py [DATA_DIR] > results/ledflow-variants/variants.csv
(DATA_DIR default $SEDNAS_DATA or ../shared/data; needs numpy and scipy.)
"""
import csv
import itertools
import math
import os
import sys

import numpy as np
from scipy.stats import spearmanr

data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SEDNAS_DATA", "../shared/data")
rows = list(csv.DictReader(open(os.path.join(data, "nb201_cifar10_valid_acc_nb201v1_0.csv"))))
acc = np.array([float(r["cifar10_valid_val"]) for r in rows])


def parse(s):
    ops = {}
    for j, node in enumerate(s.strip("|").split("|+|"), start=1):
        for e in node.strip("|").split("|"):
            op, i = e.split("~")
            ops[(j, int(i))] = op
    return ops


cells = [parse(r["arch_str"]) for r in rows]


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


design = np.array([fnv1a64(r["arch_str"]) >> 63 == 0 for r in rows])


def flow(ops, a, b, s):
    # conv k^a (1×1: 1 for every a), pooling o^-b with o = 3 (b = 2: the shipped 1/o²)
    gain = {"nor_conv_3x3": 3.0**a, "nor_conv_1x1": 1.0, "avg_pool_3x3": 3.0 ** (-b),
            "skip_connect": s, "none": 0.0}
    v = [1.0, 0.0, 0.0, 0.0]
    for j in range(1, 4):
        v[j] = sum(v[i] * gain[ops[(j, i)]] for i in range(j))
    return math.log2(v[3]) if v[3] > 0 else -math.inf


print("conv_exponent_a,pool_exponent_b,skip_gain_s,spearman_valid_design,spearman_valid_all,shipped")
for a, b, s in itertools.product([0.0, 0.5, 1.0, 2.0], [0, 1, 2], [0.25, 0.5, 0.75, 1.0]):
    sc = np.array([flow(c, a, b, s) for c in cells])
    sc = np.where(np.isfinite(sc), np.round(sc, 9), -1e300)
    rho = spearmanr(sc[design], acc[design]).statistic
    rho_all = spearmanr(sc, acc).statistic
    print(f"{a},{b},{s},{rho:.4f},{rho_all:.4f},{int((a, b, s) == (1.0, 2, 0.75))}")
