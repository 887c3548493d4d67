"""Reduced vs benchmark scale on the same networks: for each summary, Spearman ρ with
accuracy at each scale, and ρ between the two scales' values (how far the cheap scale
stands in for the benchmark's own network).

usage: python experiments/nb201_measure/scales.py REDUCED.csv BENCHMARK.csv [SEDNAS_DATA] [--space nb201|nb101|darts]
"""
import argparse
import csv
import os
from pathlib import Path

import numpy as np

from spaces import SPACES, keyed, spearman

ap = argparse.ArgumentParser()
ap.add_argument("reduced")
ap.add_argument("benchmark")
ap.add_argument("data", nargs="?", default=os.environ.get("SEDNAS_DATA", "../shared/data"))
ap.add_argument("--space", default="nb201", choices=["nb201", "nb101", "darts"])
a = ap.parse_args()
sp = SPACES[a.space]
truth, acc_col = sp["truth"], sp["accs"][0]
def load(p):
    lines = Path(p).read_text().splitlines()
    return keyed(a.space, list(csv.DictReader(lines[1:])))
red, ben = load(a.reduced), load(a.benchmark)
with open(Path(a.data) / truth) as f:
    acc = {k: float(r[acc_col]) for k, r in keyed(a.space, list(csv.DictReader(f))).items()}
nets = sorted(set(red) & set(ben))
r0, b0 = next(iter(red.values())), next(iter(ben.values()))
print(f"{a.space}: {len(nets)} networks measured at both scales: reduced (width {r0['width']}, cells {r0['cells']}) "
      f"and benchmark (width {b0['width']}, cells {b0['cells']}); accuracy column {acc_col}")
print(f"{'summary':<20} {'rho reduced':>11} {'rho benchmark':>13} {'rho between scales':>18}")
y = np.array([acc[n] for n in nets])
for s in ["h1_last_minus_stem", "h1_neg_max_drop", "h1_min", "h2_last_minus_stem", "neg_zero_last", "neg_zero_mean"]:
    u = np.array([float(red[n][s]) for n in nets])
    v = np.array([float(ben[n][s]) for n in nets])
    ok = np.isfinite(u) & np.isfinite(v)
    print(f"{s:<20} {spearman(u[ok], y[ok]):>11.3f} {spearman(v[ok], y[ok]):>13.3f} "
          f"{spearman(u[ok], v[ok]):>18.3f}")
