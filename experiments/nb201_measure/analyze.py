"""Figures and per-layer table for `sednas measure` results (README "Does suppressing
local-entropy decrease predict accuracy?").

usage: python experiments/nb201_measure/analyze.py MERGED.csv OUT_DIR [SEDNAS_DATA] [--space nb201|nb101|darts]

Reads the merged measure CSV (with its per-layer columns LAYER.KIND.METRIC) and the space's
ground truth (NB201: 200-epoch test accuracy on CIFAR-10 / CIFAR-100 / ImageNet16-120;
NB101: 108-epoch CIFAR-10 validation accuracy of nb101_nasbenchvis_10k.csv; DARTS: NB301's
CIFAR-10 validation accuracy in the NASLib sample), joined by canonical architecture text,
and writes

* OUT_DIR/per_layer.csv: Spearman ρ of every layer × kind × metric with each accuracy (a
  `#` comment line first: source, networks kept and excluded, the rule; `n` = kept networks
  with a finite value of that column);
* OUT_DIR/rho_per_layer.png: that ρ with the first accuracy, per layer, for the maps as the
  cell emits them and after the next ReLU;
* OUT_DIR/profile_best_worst.png: the binned-H1 profile through the network (after each
  ReLU) of the 5 % most and the 5 % least accurate kept networks (first accuracy): mean and
  interquartile range.

One rule for degenerate networks: a network every one of whose maps after the stem is
constant in every window (`zero` = 1 at every `relu` layer after the stem: its output is cut
off from the input, all-zero maps, undefined H2) is left out of every figure and ρ, and
counted. On NB201 these are exactly the 341 cells with no input→output path; the script
checks the rule against the topology (LED-flow = −∞, `sednas.score`) and says so.

Per-map measures (`sednas measure`, src/entropy/profile.rs), each a mean over the windows
3×3×1 (one channel: 9 entries, border `valid`) of every image of the batch:
h1b = local H1 with 16 equal-width bins over each image's value range (bits);
h1x = local H1 of the exact values (value frequencies; degenerate on float maps, bits);
zero = fraction of windows whose 9 entries are equal (exact H1 = 0);
h2 = local Gaussian entropy across the batch, over non-singular windows (bits);
distinct and singular: the fractions of windows with 9 distinct values / a singular
covariance (in the table only).
"""
import argparse
import csv
import json
import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import matplotlib

import sednas
from spaces import SPACES, arch_texts, keyed, keys_of, spearman

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[2]
ap = argparse.ArgumentParser()
ap.add_argument("merged")
ap.add_argument("out")
ap.add_argument("data", nargs="?", default=os.environ.get("SEDNAS_DATA", "../shared/data"))
ap.add_argument("--space", default="nb201", choices=["nb201", "nb101", "darts"])
args = ap.parse_args()
merged, out, data = Path(args.merged), Path(args.out), Path(args.data)
sp = SPACES[args.space]
truth, sets, noun = sp["truth"], sp["accs"], sp["noun"]
out.mkdir(parents=True, exist_ok=True)


def rel(p):
    p = Path(p).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


command = (f"python experiments/nb201_measure/analyze.py {rel(merged)} {rel(out)}"
           + (f" --space {args.space}" if args.space != "nb201" else ""))
lines = merged.read_text().splitlines()
config = {}
if lines[0].startswith("#") and "config=" in lines[0]:
    config = json.loads(lines[0].split("config=", 1)[1])
meas = config.get("measure", {})
rows = list(csv.DictReader(lines[1:]))
with open(data / truth) as f:
    acc_of = keyed(args.space, list(csv.DictReader(f)))
keys = keys_of(args.space, rows)
missing = [k for k in keys if k not in acc_of]
if missing:
    sys.exit(f"{len(missing)} measured networks are not in {truth} (first: {missing[0]})")
cols = [c for c in rows[0] if c.count(".") == 2]
layers = []
for c in cols:
    l, k, _ = c.split(".")
    if (l, k) not in layers:
        layers.append((l, k))
relu_layers = [l for l, k in layers if k == "relu"]

# the one rule: every map after the stem constant in every window -> degenerate, left out
after_stem = relu_layers[1:]
degenerate = np.array([all(float(r[f"{l}.relu.zero"]) == 1.0 for l in after_stem) for r in rows])
kept_rows = [r for r, d in zip(rows, degenerate) if not d]
n_all, n_kept, n_out = len(rows), len(kept_rows), int(degenerate.sum())
cut_off = ~np.isfinite(sednas.score(arch_texts(args.space, rows), args.space, proxy="led-flow"))
if (cut_off != degenerate).any():
    print(f"warning: {n_out} networks have every map after the stem constant, but {int(cut_off.sum())} "
          "have no input→output path (LED-flow −∞)", file=sys.stderr)
rule = "every map after the stem constant in every window: the output cut off from the input"
if n_out and (cut_off == degenerate).all():
    rule += "; exactly the networks with no input→output path"
acc = {s: np.array([float(acc_of[k][s]) for k, d in zip(keys, degenerate) if not d]) for s in sets}

metrics = ["h1x", "distinct", "h1b", "zero", "h2", "singular"]
table = []
for l, k in layers:
    for m in metrics:
        v = np.array([float(r[f"{l}.{k}.{m}"]) for r in kept_rows])
        ok = np.isfinite(v)
        rhos = [spearman(v[ok], acc[s][ok]) if ok.sum() > 2 and np.ptp(v[ok]) > 0 else float("nan") for s in sets]
        table.append((l, k, m, int(ok.sum()), *rhos))
source = (f"{rel(merged)} (sednas measure --space {args.space} --width {meas.get('width', '?')} --cells "
          f"{meas.get('cells', '?')} --input {meas.get('input', '?')} --batch {meas.get('batch', '?')} "
          f"--seed {meas.get('seed', '?')})")
with open(out / "per_layer.csv", "w", newline="") as f:
    f.write(f"# Spearman rho per layer, kind and metric with each accuracy of {truth}; source {source}; "
            f"{n_kept} of {n_all} {noun} kept, {n_out} excluded as degenerate ({rule}); "
            f"n = kept {noun} with a finite value; made by: {command}\n")
    w = csv.writer(f)
    w.writerow(["layer", "kind", "metric", "n"] + [f"rho_{s}" for s in sets])
    w.writerows(table)

WORDS = {
    "h1b": f"binned H1: {meas.get('bins', 16)} equal-width bins over each image's value range (h1b)",
    "h1x": "exact H1: frequencies of exact values (h1x)",
    "zero": "fraction of constant windows, exact H1 = 0 (zero)",
    "h2": f"Gaussian H2 across the batch of {meas.get('batch', '?')}, non-singular windows (h2)",
}
counts = f"n = {n_kept:,} {noun} kept, {n_out:,} excluded as degenerate ({rule})"


def caption(fig, text, width):
    fig.text(0.01, 0.01, "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)), fontsize=7.5, ha="left", va="bottom",
             family="sans-serif", color="0.2")


fig, ax = plt.subplots(1, 2, figsize=(13, 6.4), sharey=True)
for j, k in enumerate(["out", "relu"]):
    for m in ["h1b", "h1x", "zero", "h2"]:
        ys = [t[4] for t in table if t[1] == k and t[2] == m]
        ax[j].plot(range(len(ys)), ys, "o-", label=WORDS[m])
    names = [l for l, kk in layers if kk == k]
    ax[j].set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax[j].axhline(0, color="grey", lw=0.5)
    ax[j].set_xlabel("layer (network order, stem first)")
    ax[j].set_title(f"maps {'as the cell emits them' if k == 'out' else 'after the next ReLU'}", fontsize=10)
ax[0].set_ylabel(f"Spearman ρ (unitless) with\n{sp['acc_words']}")
fig.suptitle(f"{args.space}: per-layer measured local entropy vs accuracy", fontsize=11)
fig.tight_layout(rect=(0, 0.2, 1, 1))
fig.legend(*ax[0].get_legend_handles_labels(), fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 0.085), ncol=2,
           title="each point: ρ of the mean over every 3×3×1 window of that layer's map of", title_fontsize=8)
caption(fig, f"Data: {source}; accuracy {truth} column {sets[0]}. {counts}. Estimators: means over every "
        f"3×3×1 window (one channel, 9 entries, border valid) of each map of the batch. A missing point: the "
        f"measure is the same for every kept network there (ρ undefined), e.g. at the stem. "
        f"Made by: {command}", 230)
fig.savefig(out / "rho_per_layer.png", dpi=110)

a = acc[sets[0]]
# the protocol's top-set rule (sednas.top_percent): accuracy at least the ⌈5 % · n⌉-th largest
# (worst: at most the ⌈5 % · n⌉-th smallest); cells tied at the boundary all belong
groups = {"best 5 %": np.flatnonzero(sednas.top_percent(a, 5.0)),
          "worst 5 %": np.flatnonzero(sednas.top_percent(-a, 5.0))}
fig, ax = plt.subplots(figsize=(8, 7.2))
names = relu_layers
profiles = {}
for (lab, sel), col in zip(groups.items(), ["C2", "C3"]):
    prof = np.array([[float(kept_rows[i][f"{l}.relu.h1b"]) for l in names] for i in sel])
    profiles[lab] = prof.mean(0)
    ax.plot(range(len(names)), prof.mean(0), "o-", color=col, label=f"{lab} by accuracy (n = {len(sel)}): mean")
    ax.fill_between(range(len(names)), np.percentile(prof, 25, 0), np.percentile(prof, 75, 0), color=col, alpha=0.2,
                    label=f"{lab}: interquartile range (25th–75th percentile)")
ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
ax.set_xlabel("layer (network order, stem first)")
ax.set_ylabel(f"local H1 after ReLU, binned:{meas.get('bins', 16)} (bits)")
ax.set_title(f"{args.space}: entropy profile, most vs least accurate {noun}\nby {sp['acc_words']}", fontsize=10)
fig.tight_layout(rect=(0, 0.21, 1, 1))
fig.legend(*ax.get_legend_handles_labels(), fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 0.14), ncol=2)
caption(fig, f"Data: {source}; accuracy {truth} column {sets[0]}. {counts}; best and worst 5 % of the kept "
        f"(accuracy at least the ⌈5 % · n⌉-th largest / at most the ⌈5 % · n⌉-th smallest; ties at the boundary included). "
        f"Estimator: local H1 with {meas.get('bins', 16)} equal-width bins over each image's value range, mean over "
        f"every 3×3×1 window (one channel, border valid) of the map after the ReLU the next layer applies. "
        f"Made by: {command}", 135)
fig.savefig(out / "profile_best_worst.png", dpi=110)

print(f"{n_kept} of {n_all} {noun} kept, {n_out} excluded as degenerate ({rule})")
print(f"binned-H1 profile after ReLU, mean of the best / worst 5 % (n = {len(groups['best 5 %'])} / "
      f"{len(groups['worst 5 %'])}), {sets[0]}:")
for i, l in enumerate(names):
    print(f"  {l}: {profiles['best 5 %'][i]:.3f} / {profiles['worst 5 %'][i]:.3f}")
best = sorted(table, key=lambda t: -abs(t[4]) if np.isfinite(t[4]) else 0)[:8]
print(f"strongest per-layer ρ ({sets[0]}):")
for t in best:
    print(f"  {t[0]}.{t[1]}.{t[2]}: ρ = " + " / ".join(f"{x:.3f}" for x in t[4:]) + f" (n = {t[3]})")
