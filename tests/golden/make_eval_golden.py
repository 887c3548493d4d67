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


def led_flow(arch, skip_gain=0.75):
    """LED-flow's cell scale: sum over input->output paths of the product of gains
    (conv kxk: k, 3x3 avg pool: 1/9, skip: skip_gain, none: 0). The score is a monotone
    function of it (mean over stages of log2(C * V)), so ranks agree."""
    ops = [t.split("~")[0] for node in arch.strip("|").split("|+|") for t in node.split("|")]
    gain = {"none": 0.0, "skip_connect": skip_gain, "nor_conv_1x1": 1.0, "nor_conv_3x3": 3.0, "avg_pool_3x3": 1.0 / 9.0}
    e = dict(zip([(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)], ops))
    v = {0: 1.0}
    for j in (1, 2, 3):
        v[j] = sum(gain[e[(j, i)]] * v[i] for i in range(j))
    if v[3] <= 0:
        return -math.inf
    # the score sednas reports: mean over the 3 stages of log2(C * V), rounded to 1e-9 so
    # that flows equal in exact arithmetic (summed in another order) tie exactly
    return round(sum(math.log2(c * v[3]) for c in (16, 32, 64)) / 3, 9)


rows = list(csv.DictReader(open(os.path.join(data, "nb201_test_acc_200ep.csv"))))
cost = {r["arch_str"]: r for r in csv.DictReader(open(os.path.join(data, "nb201_arch_cost.csv")))}
scores = np.array([sed(r["arch_str"]) for r in rows])
flows = np.array([led_flow(r["arch_str"]) for r in rows])
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
        "led_flow_spearman": spearmanr(flows, acc).statistic,
        "led_flow_kendall_tau_b": kendalltau(flows, acc, variant="b").statistic,
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
# LED-flow's skip gain was chosen on CIFAR-10 validation accuracy (never on test accuracy)
val = [float(r["cifar10_valid_val"]) for r in csv.DictReader(open(os.path.join(data, "nb201_cifar10_valid_acc_nb201v1_0.csv")))]
out["led_flow_skip_gain_selection"] = {
    str(g): spearmanr([led_flow(r["arch_str"], g) for r in rows], val).statistic for g in (0.25, 0.5, 0.75, 1.0)
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval_golden.json"), "w") as f:
    json.dump(out, f, indent=1)
for c in out["cases"]:
    print(c["acc_col"], round(c["spearman"], 4), round(c["kendall_tau_b"], 4), round(c["led_flow_spearman"], 4), c["selection"]["tied"])
print("skip gain on CIFAR-10 validation:", out["led_flow_skip_gain_selection"])
