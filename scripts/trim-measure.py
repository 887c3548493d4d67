#!/usr/bin/env python3
"""Keeps a `sednas measure` run file's header line, its architecture and configuration
columns and the six summaries (drops the per-map columns), gzipped: the form committed under
results/ (`gunzip -k` gives a file `sednas benchmark --measured` and `eval --join` read).

    python3 scripts/trim-measure.py RUN.csv OUT.summaries.csv.gz
"""
import csv, gzip, sys

src, dst = sys.argv[1], sys.argv[2]
with open(src, newline="") as f:
    first = f.readline()
    rows = list(csv.reader(f))
head = rows[0]
last = head.index("neg_zero_mean")
with gzip.open(dst, "wt", newline="") as g:
    g.write(first)
    w = csv.writer(g, lineterminator="\n")
    for r in rows:
        w.writerow(r[: last + 1])
