"""Figures and per-layer table for `sednas measure` results (README "Does suppressing
local-entropy decrease predict accuracy?").

usage: python experiments/nb201_measure/analyze.py MERGED.csv OUT_DIR [SEDNAS_DATA]

Reads the merged measure CSV and NB201's 200-epoch test accuracies; writes
OUT_DIR/per_layer.csv (Spearman ρ of every layer × kind × metric with CIFAR-10 / CIFAR-100 /
ImageNet16-120 accuracy on the measured cells), OUT_DIR/rho_per_layer.png and
OUT_DIR/profile_best_worst.png (the binned-H1 profile through the network of the 5 % most
and least accurate measured cells, CIFAR-10).
"""
import csv
import os
import sys
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

merged, out = Path(sys.argv[1]), Path(sys.argv[2])
data = Path(sys.argv[3] if len(sys.argv) > 3 else os.environ.get("SEDNAS_DATA", "../shared/data"))
out.mkdir(parents=True, exist_ok=True)
lines = merged.read_text().splitlines()
rows = list(csv.DictReader(lines[1:]))
with open(data / "nb201_test_acc_200ep.csv") as f:
    acc_of = {r["arch_str"]: r for r in csv.DictReader(f)}
sets = ["cifar10_test", "cifar100_test", "imagenet16_120_test"]
acc = {s: np.array([float(acc_of[r["arch_str"]][s]) for r in rows]) for s in sets}
cols = [c for c in rows[0] if c.count(".") == 2]
layers = []
for c in cols:
    l, k, _ = c.split(".")
    if (l, k) not in layers:
        layers.append((l, k))
metrics = ["h1x", "distinct", "h1b", "zero", "h2", "singular"]
table = []
for l, k in layers:
    for m in metrics:
        v = np.array([float(r[f"{l}.{k}.{m}"]) for r in rows])
        ok = np.isfinite(v)
        rhos = [spearmanr(v[ok], acc[s][ok]).correlation if ok.sum() > 2 and np.ptp(v[ok]) > 0 else float("nan") for s in sets]
        table.append((l, k, m, int(ok.sum()), *rhos))
with open(out / "per_layer.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["layer", "kind", "metric", "n", "rho_cifar10", "rho_cifar100", "rho_imagenet16_120"])
    w.writerows(table)
fig, ax = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
for j, k in enumerate(["out", "relu"]):
    for m in ["h1b", "h1x", "zero", "h2"]:
        ys = [t[4] for t in table if t[1] == k and t[2] == m]
        ax[j].plot(range(len(ys)), ys, "o-", label=m)
    names = [l for l, kk in layers if kk == k]
    ax[j].set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax[j].axhline(0, color="grey", lw=0.5)
    ax[j].set_title(f"maps {'as the cell emits them' if k == 'out' else 'after the next ReLU'}")
ax[0].set_ylabel("Spearman ρ with CIFAR-10 accuracy")
ax[1].legend()
fig.suptitle(f"{merged.name}: per-layer measured local entropy vs accuracy ({len(rows)} cells)")
fig.tight_layout()
fig.savefig(out / "rho_per_layer.png", dpi=110)
a = acc["cifar10_test"]
order = np.argsort(-a)
k5 = max(1, len(a) // 20)
fig, ax = plt.subplots(figsize=(7, 4))
names = [l for l, kk in layers if kk == "relu"]
for sel, lab, col in [(order[:k5], "best 5 %", "C2"), (order[-k5:], "worst 5 %", "C3")]:
    prof = np.array([[float(rows[i][f"{l}.relu.h1b"]) for l in names] for i in sel])
    ax.plot(range(len(names)), prof.mean(0), "o-", color=col, label=f"{lab} (n={len(sel)})")
    ax.fill_between(range(len(names)), np.percentile(prof, 25, 0), np.percentile(prof, 75, 0), color=col, alpha=0.2)
ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
ax.set_ylabel("mean local H1, binned:16 (bits), after ReLU")
ax.set_title("entropy profile through the network: most vs least accurate cells (CIFAR-10)")
ax.legend()
fig.tight_layout()
fig.savefig(out / "profile_best_worst.png", dpi=110)
best = sorted(table, key=lambda t: -abs(t[4]) if np.isfinite(t[4]) else 0)[:8]
print("strongest per-layer ρ (CIFAR-10):")
for t in best:
    print(f"  {t[0]}.{t[1]}.{t[2]}: ρ = {t[4]:.3f} / {t[5]:.3f} / {t[6]:.3f} (n = {t[3]})")
