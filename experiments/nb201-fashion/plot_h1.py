#!/usr/bin/env python3
"""The headline trained-cell figure: mean local H1 of the trained maps vs test accuracy,
32 NB201 cells trained on Fashion-MNIST (`results/nb201-fashion-full`, one seed per cell),
colour = parameter count (colour bar). Reads archs.csv and correlations.csv (the ρ and its
interval printed in the title are the experiment's own, Holm-corrected p).

    python3 experiments/nb201-fashion/plot_h1.py [results/nb201-fashion-full]
"""
import csv, os, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "results", "nb201-fashion-full")
rows = list(csv.DictReader(open(os.path.join(d, "archs.csv"))))
corr = [r for r in csv.DictReader(open(os.path.join(d, "correlations.csv"))) if "H1" in r["test"] and "mean" in r["test"].lower()]
h1 = [float(r["h1_mean"]) for r in rows]
acc = [100 * float(r["acc_mean"]) for r in rows]
params = [int(r["params"]) / 1e3 for r in rows]
fig, ax = plt.subplots(figsize=(6, 4.2))
sc = ax.scatter(h1, acc, c=params, cmap="viridis", s=30, edgecolor="k", linewidth=0.4)
cb = fig.colorbar(sc, ax=ax)
cb.set_label("parameters (thousands)")
ax.set_xlabel("mean local H1 of the trained maps, mean over layers\n(bits; binned:16 estimator, 3×3×1 windows per channel)")
ax.set_ylabel("test accuracy on Fashion-MNIST (%)")
title = "32 NB201 cells (C = 8, N = 1), 1 epoch on 60,000 images, one seed each"
if corr:
    c = corr[0]
    title += "\nSpearman ρ = {:+.2f} [{:+.2f}, {:+.2f}], Holm p = {:.0e}".format(
        float(c["value"]), float(c["ci_low"]), float(c["ci_high"]), float(c["p_holm"]))
ax.set_title(title, fontsize=9)
# the caption line: data file, n, estimator, command (as the figures drawn by sednas have)
caption = ("data: {}/archs.csv, correlations.csv · n = {} cells × 1 seed\n"
           "estimator: binned:16 H1 (16 equal-width bins over each image's feature-map range),\n"
           "3×3×1 windows per channel, stride 1, crop border, 64 held-out images\n"
           "command: python3 experiments/nb201-fashion/plot_h1.py").format(
               os.path.relpath(d, os.path.join(os.path.dirname(__file__), "..", "..")), len(rows))
fig.text(0.01, 0.01, caption, fontsize=6, color="0.25", ha="left", va="bottom")
fig.tight_layout(rect=(0, 0.1, 1, 1))
fig.savefig(os.path.join(d, "acc_vs_h1.png"), dpi=120)
print("wrote", os.path.join(d, "acc_vs_h1.png"))
