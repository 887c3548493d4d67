"""Figures and per-layer table for `sednas measure` results (README "Does suppressing
local-entropy decrease predict accuracy?").

usage: python experiments/nb201_measure/analyze.py MERGED.csv OUT_DIR [SEDNAS_DATA] [--space nb201|nb101|darts]

Reads the merged measure CSV and the space's ground truth (NB201: 200-epoch test accuracy on
CIFAR-10 / CIFAR-100 / ImageNet16-120; NB101: 108-epoch CIFAR-10 validation accuracy of
nb101_nasbenchvis_10k.csv; DARTS: NB301's CIFAR-10 validation accuracy in the NASLib
sample); writes OUT_DIR/per_layer.csv (Spearman ρ of every layer × kind × metric with each
accuracy on the measured networks), OUT_DIR/rho_per_layer.png and
OUT_DIR/profile_best_worst.png (the binned-H1 profile through the network of the 5 % most
and least accurate measured networks, first accuracy column).
"""
import argparse
import csv
import os
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
import matplotlib

from spaces import SPACES, key_of

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ap = argparse.ArgumentParser()
ap.add_argument("merged")
ap.add_argument("out")
ap.add_argument("data", nargs="?", default=os.environ.get("SEDNAS_DATA", "../shared/data"))
ap.add_argument("--space", default="nb201", choices=["nb201", "nb101", "darts"])
args = ap.parse_args()
merged, out, data = Path(args.merged), Path(args.out), Path(args.data)
sp = SPACES[args.space]
keys, truth, sets, noun = sp["keys"], sp["truth"], sp["accs"], sp["noun"]
key = key_of(args.space)
out.mkdir(parents=True, exist_ok=True)
lines = merged.read_text().splitlines()
rows = list(csv.DictReader(lines[1:]))
with open(data / truth) as f:
    acc_of = {key(r): r for r in csv.DictReader(f)}
acc = {s: np.array([float(acc_of[key(r)][s]) for r in rows]) for s in sets}
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
    w.writerow(["layer", "kind", "metric", "n"] + [f"rho_{s}" for s in sets])
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
ax[0].set_ylabel(f"Spearman ρ with {sets[0]}")
ax[1].legend()
fig.suptitle(f"{args.space} {merged.name}: per-layer measured local entropy vs accuracy ({len(rows)} {noun})")
fig.tight_layout()
fig.savefig(out / "rho_per_layer.png", dpi=110)
a = acc[sets[0]]
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
ax.set_title(f"{args.space}: entropy profile, most vs least accurate {noun} ({sets[0]})", fontsize=10)
ax.legend()
fig.tight_layout()
fig.savefig(out / "profile_best_worst.png", dpi=110)
best = sorted(table, key=lambda t: -abs(t[4]) if np.isfinite(t[4]) else 0)[:8]
print(f"strongest per-layer ρ ({sets[0]}):")
for t in best:
    print(f"  {t[0]}.{t[1]}.{t[2]}: ρ = " + " / ".join(f"{x:.3f}" for x in t[4:]) + f" (n = {t[3]})")
