"""Independent computation (Python + scipy) of SED's agreement with NB201 ground truth, for
tests/eval_data.rs. Run once; the output eval_golden.json is committed.

    pip install numpy scipy
    python3 tests/golden/make_eval_golden.py [DATA_DIR]

SED is re-implemented here from the printed formula (default reading: K >= O1, `none` not
in OPT, #K counts operations, O1 = the space's 3x3 average pool, one block per cell, five
identical cells per stage with 16/32/64 channels); nothing is read from sednas.
"""
import csv
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy.stats import kendalltau, spearmanr

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SEDNAS_DATA", os.path.join(root, "..", "shared", "data"))


def sig(x):
    return 1.0 / (1.0 + math.exp(-x))


def sed(arch):
    ops = [t.split("~")[0] for node in arch.strip("|").split("|+|") for t in node.split("|")]
    n3, n1 = ops.count("nor_conv_3x3"), ops.count("nor_conv_1x1")
    npool, nskip = ops.count("avg_pool_3x3"), ops.count("skip_connect")
    opt = n3 + n1 + npool + nskip
    pool = n3 ** 2 + opt ** 2 - (npool + n1) ** 2
    skip = sig(nskip) * nskip
    terms = [sig(c) * 1.0 * pool * sig(skip * (sig(c) * n3)) for c in (16, 32, 64)]
    return sum(5 * t for t in terms) / 15


rows = list(csv.DictReader(open(os.path.join(data, "nb201_test_acc_200ep.csv"))))
cost = {r["arch_str"]: r for r in csv.DictReader(open(os.path.join(data, "nb201_arch_cost.csv")))}
scores = np.array([sed(r["arch_str"]) for r in rows])
out = {"generator": {"numpy": np.__version__, "scipy": scipy.__version__}, "cases": []}
for col in ["cifar10_test", "cifar100_test", "imagenet16_120_test"]:
    acc = np.array([float(r[col]) for r in rows])
    # competition ranks, 1 = most accurate
    ranks = np.array([1 + int(np.sum(acc > a)) for a in acc])
    top = scores.max()
    tie = np.where(scores == top)[0]
    groups = {}
    for s, a in zip(scores, acc):
        groups[s] = min(groups.get(s, float("inf")), a)
    keys = sorted(groups)
    params = np.array([float(cost[r["arch_str"]]["params_mb_cifar10"]) for r in rows])
    out["cases"].append({
        "acc_col": col,
        "n": len(rows),
        "spearman": spearmanr(scores, acc).statistic,
        "kendall_tau_b": kendalltau(scores, acc, variant="b").statistic,
        "params_spearman": spearmanr(params, acc).statistic,
        "params_kendall_tau_b": kendalltau(params, acc, variant="b").statistic,
        "distinct": len(set(scores.tolist())),
        "selection": {
            "tied": int(len(tie)),
            "best_rank": int(ranks[tie].min()),
            "worst_rank": int(ranks[tie].max()),
            "expected_rank": float(ranks[tie].mean()),
            "best_acc": float(acc[tie].max()),
            "worst_acc": float(acc[tie].min()),
            "expected_acc": float(acc[tie].mean()),
            "indices": sorted(int(rows[i]["index"]) for i in tie),
        },
        "min_acc_groups": len(keys),
        "min_acc_spearman": spearmanr(keys, [groups[k] for k in keys]).statistic,
    })
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval_golden.json"), "w") as f:
    json.dump(out, f, indent=1)
for c in out["cases"]:
    print(c["acc_col"], round(c["spearman"], 4), round(c["kendall_tau_b"], 4), c["selection"])
