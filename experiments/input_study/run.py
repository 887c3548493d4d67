#!/usr/bin/env python3
"""Input study (issue 26, step 2): which input carries the measured-entropy signal, and how
many images it needs. Design split only: NB201 cells whose architecture hash puts them in
the design half (the benchmark protocol's split, docs/benchmark-protocol.md), ground truth
CIFAR-10 *validation* accuracy (`cifar10_valid_val` of nb201_cifar10_valid_acc_nb201v1_0.csv).
The report split is not read here.

For a uniform sample of design cells (fixed seed), `sednas measure` runs at the reduced
scale (C = 8, N = 1, init seed 0) under every (input, batch) of CONFIGS; for each of the
six summaries it reports Spearman ρ with accuracy, the partial Spearman ρ given LEDp (the
rank residuals' correlation), and ρ of the pre-declared combination family
    rank form:   rank(LEDp) + w·rank(summary)   (w in W; ties averaged; NaN ranks last)
    linear form: LEDp + w·summary               (w in LIN; NaN summary: LEDp's −inf or
                                                 the sample's lowest LEDp − 1e6)
The pre-registered led-m is the *linear* form (a score of one architecture, as `sednas
score` needs; the rank form needs a population): choice.json holds the (input, batch,
summary, w) with the largest design ρ of LEDp + w·summary. Outputs (into --out): study.csv
(one row per input × batch × summary), choice.json, rho_vs_batch.png, the measure CSVs.

    python3 experiments/input_study/run.py --sednas target/release/sednas --n 300

Scores and evaluation come from the sednas package (sednas.score for LEDp, sednas.evaluate
for ρ); the split hash below is the one deliberate re-implementation (FNV-1a 64 of the
architecture string, top bit 0 = design), checked against the benchmark's count of design
cells (7,716) at start.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time

import numpy as np
from scipy.stats import rankdata

import sednas

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SEDNAS_DATA", os.path.join(HERE, "..", "..", "..", "shared", "data"))
CONFIGS = [("noise", 10), ("noise", 20), ("noise", 40),
           ("patches", 10), ("patches", 20), ("patches", 40),
           ("cifar", 10), ("cifar", 20),
           ("cifar100", 10), ("cifar100", 20),
           ("cifar-mixed", 10), ("cifar-mixed", 20), ("cifar-mixed", 40)]
SUMMARIES = ["h1_last_minus_stem", "h1_neg_max_drop", "h1_min", "h2_last_minus_stem",
             "neg_zero_last", "neg_zero_mean"]
W = [0.25, 0.5, 1.0]          # rank forms (population-relative; reported for reference)
LIN = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]  # linear forms: computable for one architecture


def fnv1a64(s):  # deliberate re-implementation of the protocol's split hash (see docstring)
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def is_design(arch):
    return (fnv1a64(arch) >> 63) == 0


def ranks(x):
    x = np.asarray(x, float).copy()
    bad = ~np.isfinite(x)
    x[bad] = (np.nanmin(x[~bad]) - 1.0) if (~bad).any() else 0.0
    x[np.isneginf(np.asarray(x))] = -1e300
    return rankdata(x)


def partial(a, b, given):
    ra, rb, rg = (rankdata(v) for v in (a, b, given))
    def res(y):
        g = np.vstack([rg, np.ones_like(rg)]).T
        return y - g @ np.linalg.lstsq(g, y, rcond=None)[0]
    return float(np.corrcoef(res(ra), res(rb))[0, 1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sednas", required=True)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "results", "input-study"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    rows = list(csv.DictReader(open(os.path.join(DATA, "nb201_cifar10_valid_acc_nb201v1_0.csv"))))
    design = [r for r in rows if is_design(r["arch_str"])]
    assert len(design) == 7716, len(design)  # the benchmark's design half
    sample = random.Random(args.seed).sample(design, args.n)
    pop = os.path.join(args.out, "population.csv")
    with open(pop, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["arch_str", "cifar10_valid_val"])
        for r in sample:
            w.writerow([r["arch_str"], r["cifar10_valid_val"]])
    archs = [r["arch_str"] for r in sample]
    acc = np.array([float(r["cifar10_valid_val"]) for r in sample])
    ledp = np.array(sednas.score(archs, space="nb201", proxy="ledp"), float)
    base = sednas.evaluate(ledp, acc, name="ledp")
    print("LEDp on the sample: rho {:.4f}".format(base["spearman"]), flush=True)

    out_rows = []
    for inp, batch in CONFIGS:
        mfile = os.path.join(args.out, "measure_{}_{}.csv".format(inp, batch))
        if not os.path.exists(mfile):
            t0 = time.time()
            subprocess.run([args.sednas, "measure", "--space", "nb201", "--from", pop,
                            "--input", inp, "--batch", str(batch), "--out", mfile],
                           check=True, stdout=subprocess.DEVNULL)
            print("{} x{}: measured in {:.0f} s".format(inp, batch, time.time() - t0), flush=True)
        lines = [l for l in open(mfile) if not l.startswith("#")]
        m = {r["arch_str"]: r for r in csv.DictReader(lines)}
        for s in SUMMARIES:
            v = np.array([float(m[a][s]) if m[a][s] not in ("", "nan", "NaN") else np.nan for a in archs])
            ok = np.isfinite(v)
            e = sednas.evaluate(v, acc, name=s)
            row = dict(input=inp, batch=batch, summary=s, n=int(ok.sum()), rho=e["spearman"],
                       partial_given_ledp=partial(v[ok], acc[ok], np.where(np.isfinite(ledp[ok]), ledp[ok], -1e300)))
            for wt in W:
                comb = ranks(ledp) + wt * ranks(v)
                row["rho_rank_w{}".format(wt)] = sednas.evaluate(comb, acc)["spearman"]
            lo = np.min(ledp[np.isfinite(ledp)]) - 1e6
            for wt in LIN:
                comb = np.where(np.isfinite(v), ledp + wt * np.nan_to_num(v), np.minimum(ledp, lo))
                row["rho_lin_w{}".format(wt)] = sednas.evaluate(comb, acc)["spearman"]
            out_rows.append(row)
    keys = list(out_rows[0])
    with open(os.path.join(args.out, "study.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for r in out_rows:
            w.writerow({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()})
    best = max(((r["rho_lin_w{}".format(wt)], r["input"], r["batch"], r["summary"], wt)
                for r in out_rows for wt in LIN))
    choice = dict(rule="LEDp + w*summary", input=best[1], batch=best[2],
                  summary=best[3], w=best[4], design_rho=round(best[0], 4),
                  ledp_design_rho=round(base["spearman"], 4), n=args.n, sample_seed=args.seed)
    json.dump(choice, open(os.path.join(args.out, "choice.json"), "w"), indent=1)
    print("choice:", choice)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(1, 2, figsize=(10, 4))
        s = choice["summary"]
        for inp in dict.fromkeys(c[0] for c in CONFIGS):
            rs = [r for r in out_rows if r["input"] == inp and r["summary"] == s]
            b = [r["batch"] for r in rs]
            ax[0].plot(b, [r["partial_given_ledp"] for r in rs], "o-", label=inp)
            ax[1].plot(b, [r["rho_lin_w{}".format(choice["w"])] for r in rs], "o-", label=inp)
        ax[1].axhline(base["spearman"], color="k", ls="--", lw=1, label="LEDp alone")
        ax[0].set(xlabel="images in the batch", ylabel="partial Spearman ρ given LEDp",
                  title="{}: signal beyond topology".format(s))
        ax[1].set(xlabel="images in the batch", ylabel="Spearman ρ with CIFAR-10 valid acc.",
                  title="LEDp + {:g}·{}".format(choice["w"], s))
        ax[0].legend(title="input", fontsize=8)
        ax[1].legend(fontsize=8)
        fig.suptitle("NB201 design split, {} cells, reduced scale (C = 8, N = 1), H1 binned:16".format(args.n), fontsize=10)
        disc = int(sum(1 for a in archs if not np.isfinite(sednas.score([a], space="nb201", proxy="led-flow")[0])))
        fig.text(0.01, 0.01,
                 "Data: results/input-study/population.csv ({} NB201 design cells, seed {}; {} of them disconnected, "
                 "all-zero maps, kept: the pre-registered choice was made on all {}) and measure_INPUT_BATCH.csv.gz "
                 "(sednas measure --input INPUT --batch BATCH, seed 0).\n"
                 "Summary: {} (sednas measure; neg_zero_mean = −mean over the ReLU maps of the fraction of 3×3×1 windows with H1 = 0). Accuracy: CIFAR-10 "
                 "validation (nb201_cifar10_valid_acc_nb201v1_0.csv). "
                 "Made by: python3 experiments/input_study/run.py --sednas target/release/sednas".format(
                     args.n, args.seed, disc, args.n, s),
                 fontsize=6.5, ha="left", va="bottom", wrap=True)
        fig.tight_layout(rect=(0, 0.08, 1, 1))
        fig.savefig(os.path.join(args.out, "rho_vs_batch.png"), dpi=110)
    except ImportError:
        print("matplotlib missing: no figure", file=sys.stderr)


if __name__ == "__main__":
    main()
