"""A straightforward Python implementation of SED (printed formula, default reading) on
NB201 strings, timed over all 15,625 cells. Called by benches/sed.rs for the speed ratio.

Prints: seconds per architecture (best of 3), then the SED of index-9930's cell as a check.
"""
import itertools
import math
import time

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def sig(x):
    return 1.0 / (1.0 + math.exp(-x))


def sed(arch_str, channels=(16, 32, 64)):
    ops = [t.split("~")[0] for node in arch_str.strip("|").split("|+|") for t in node.split("|")]
    n3 = ops.count("nor_conv_3x3")
    n1 = ops.count("nor_conv_1x1")
    npool = ops.count("avg_pool_3x3")
    nskip = ops.count("skip_connect")
    opt = n3 + n1 + npool + nskip  # `none` not an operation
    pool_sed = n3 ** 2 + opt ** 2 - (npool + n1) ** 2  # conv3x3 >= O1 (3x3 pool, stride 1); conv1x1 < O1
    skip_sed = sig(nskip) * nskip
    total = 0.0
    for c in channels:  # one block per stage, 5 identical cells each
        conv_sed = sig(c) * n3
        total += 5 * sig(c) * 1.0 * pool_sed * sig(skip_sed * conv_sed)
    return total / 15


def all_strings():
    for ops in itertools.product(OPS, repeat=6):
        yield "|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*ops)


archs = list(all_strings())
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    for a in archs:
        sed(a)
    best = min(best, time.perf_counter() - t)
print(best / len(archs))
print(sed("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"))
