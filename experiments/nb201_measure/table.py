"""Markdown rows of the README table "Does suppressing local-entropy decrease predict
accuracy?" from `sednas eval` outputs (results/*-measure/eval_*.txt): for each file, the
number of networks, Spearman ρ of each measured summary and of the topology proxies, and
where each proxy's top pick lands (expected rank of the tied top set as a percentile of the
population: 0 % = the most accurate network; ties are spread, never the lucky one).

usage: python experiments/nb201_measure/table.py "LABEL::EVAL.txt[,EVAL2.txt,...]" ...
  several files in one cell (e.g. C10,C100,IN16) are printed as ρ1 / ρ2 / ρ3
"""
import sys

SUMMARIES = ["h1_last_minus_stem", "h1_neg_max_drop", "h1_min", "h2_last_minus_stem",
             "neg_zero_last", "neg_zero_mean"]
TOPOLOGY = ["sed", "led-flow", "ledp"]
PARAMS = ["params_mb_cifar10", "trainable_parameters", "params"]
PEERS = ["nwot", "synflow", "jacov", "snip", "grad_norm", "fisher", "grasp", "epe_nas", "l2_norm", "plain", "flops", "zen"]


def parse(path):
    rows, started = {}, False
    for line in open(path):
        f = line.split()
        if f[:2] == ["proxy", "n"]:
            started = True
            continue
        if started and len(f) >= 12 and f[1].isdigit():
            rank = f[9].split("/")
            rows[f[0]] = dict(n=int(f[1]), rho=float(f[2]), exp_rank=float(rank[1]))
    return rows


def cell(evals, name):
    xs = [e[name] for e in evals if name in e]
    if not xs:
        return "–"
    rho = " / ".join(f"{x['rho']:.3f}" for x in xs)
    top = xs[0]["exp_rank"] / xs[0]["n"] * 100
    return f"{rho} (top {top:.2f} %)" if top < 1 else f"{rho} (top {top:.1f} %)"


print("| run (networks) | " + " | ".join(SUMMARIES) + " | best measured | SED | LED-flow | LEDp | #params | best peer |")
print("|---" * (len(SUMMARIES) + 7) + "|")
for arg in sys.argv[1:]:
    label, files = arg.split("::", 1)
    evals = [parse(p) for p in files.split(",")]
    e0 = evals[0]
    n = next(iter(e0.values()))["n"]
    best = max((s for s in SUMMARIES if s in e0), key=lambda s: e0[s]["rho"])
    par = next((p for p in PARAMS if p in e0), None)
    peers = [p for p in PEERS if p in e0]
    bp = max(peers, key=lambda p: e0[p]["rho"]) if peers else None
    cells = [cell(evals, s) for s in SUMMARIES]
    cells.append(f"{best}: {e0[best]['rho']:.3f}")
    cells += [cell(evals, t) for t in TOPOLOGY]
    cells.append(cell(evals, par) if par else "–")
    cells.append(f"{bp} {cell(evals, bp)}" if bp else "–")
    print(f"| {label} ({n}) | " + " | ".join(cells) + " |")
