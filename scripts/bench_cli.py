"""Times what a user sees: whole `sednas` processes, several runs each, median and spread,
peak memory, beside the criterion figure (from target/criterion, if `cargo bench` ran) and a
same-run reference (scikit-image, a plain Python SED loop).

Called by scripts/bench-cli.sh, which builds the release binary and the Python venv first.
usage: python scripts/bench_cli.py BIN DATA_DIR WORK_DIR [--runs N] [--quick]
Prints a Markdown table (the README's) and writes WORK_DIR/bench-cli.json.
"""

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def run_once(cmd, stdin_path=None):
    """Wall time (s) and peak RSS (MiB) of one whole process; stdout to /dev/null.

    The peak RSS comes from GNU time (`/usr/bin/time -f %M`), which reads it after the exec:
    a child's own rusage would also count the pages of this Python process it forked from.
    The wall time is taken here around the whole process (time's own start-up included, a
    millisecond)."""
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    with open(os.devnull, "wb") as devnull:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "RSS_KB=%M", *map(str, cmd)], stdin=fin,
                           stdout=devnull, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t
    if stdin_path:
        fin.close()
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(map(str, cmd))}\n{err}")
    rss = [l for l in err.splitlines() if l.startswith("RSS_KB=")]
    return wall, int(rss[-1].split("=")[1]) / 1024.0 if rss else float("nan")


def timed(cmd, runs, stdin_path=None):
    walls, rss = [], []
    run_once(cmd, stdin_path)  # warm-up (page cache, binary)
    for _ in range(runs):
        w, r = run_once(cmd, stdin_path)
        walls.append(w)
        rss.append(r)
    return {
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "runs": runs,
        "peak_rss_mib": max(rss),
    }


def criterion(group, name):
    base = ROOT / "target" / "criterion" / group
    cands = [base / name / "new" / "estimates.json",
             base / name.replace("/", "_") / "new" / "estimates.json"]
    f = next((c for c in cands if c.exists()), None)
    if f is None:
        return None
    e = json.loads(f.read_text())
    return {"mean_s": e["mean"]["point_estimate"] * 1e-9, "file": str(f.relative_to(ROOT))}


def write_inputs(bin_path, data, work, quick):
    """1M / 10M NB201 lines, 1M NB101 and DARTS lines, the entropy maps."""
    work.mkdir(parents=True, exist_ok=True)
    out = {}
    archs = subprocess.run([bin_path, "enumerate", "--space", "nb201"], check=True,
                           capture_output=True, text=True).stdout.splitlines()[1:]
    nb201 = [l.split(",")[1] for l in archs]
    assert len(nb201) == 15625
    reps = {"nb201_1m": 64, "nb201_10m": 640}
    for name, r in reps.items():
        if quick and name == "nb201_10m":
            continue
        p = work / f"{name}.txt"
        if not p.exists():
            block = ("\n".join(nb201) + "\n").encode()
            with open(p, "wb") as f:
                for _ in range(r):
                    f.write(block)
        out[name] = p
    # 1 M lines cycling through a shared-data CSV: NB101 matrix|ops from the uniform 10k
    # set, DARTS normal|reduce (NASLib form) from the NB301 sample
    for key, name, fmt in [
        ("nb101_1m", "nb101_nasbenchvis_10k.csv", lambda r: f"{r['adjacency_rowmajor']}|{r['ops']}"),
        ("darts_1m", "nb301_zc_proxies_naslib_sample.csv", lambda r: f"{r['normal_cell']}|{r['reduce_cell']}"),
    ]:
        src, p = data / name, work / f"{key}.txt"
        if not src.exists():
            continue
        if not p.exists():
            with open(src) as f:
                lines = [fmt(r) for r in csv.DictReader(f)]
            with open(p, "w") as f:
                for k in range(1_000_000):
                    f.write(lines[k % len(lines)] + "\n")
        out[key] = p
    # entropy inputs: the criterion bench's image and batch (same generators)
    rng = np.random.default_rng(7)
    i, j = np.mgrid[0:512, 0:512]
    smooth = 128 + 60 * (np.sin(i / 23.0) + np.cos(j / 17.0))
    img = np.clip(smooth + rng.integers(-16, 16, size=smooth.shape), 0, 255).astype(np.uint8)
    np.save(work / "img512.npy", img)
    out["img512"] = work / "img512.npy"
    big = np.clip(np.kron(img, np.ones((8, 8), np.uint8)).astype(np.int32)
                  + rng.integers(-8, 8, size=(4096, 4096)), 0, 255).astype(np.uint8)
    np.save(work / "img4096.npy", big)
    out["img4096"] = work / "img4096.npy"
    batch = (rng.integers(0, 100_000, size=(64, 16, 16, 8)) / 1e4).astype(np.float64)
    np.save(work / "batch64.npy", batch)
    out["batch64"] = work / "batch64.npy"
    return out, img


def skimage_seconds(img, k=7, runs=5):
    from skimage.filters.rank import entropy
    fp = np.ones((k, k), dtype=np.uint8)
    entropy(img, fp)
    best = []
    for _ in range(runs):
        t = time.perf_counter()
        entropy(img, fp)
        best.append(time.perf_counter() - t)
    return statistics.median(best)


def python_sed_seconds_per_arch():
    out = subprocess.run([sys.executable, str(ROOT / "benches" / "sed_python.py")],
                         check=True, capture_output=True, text=True).stdout
    return float(out.split()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("data")
    ap.add_argument("work")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="skip the 10 M-line and 4096² runs")
    a = ap.parse_args()
    b = str(Path(a.bin).resolve())
    work = Path(a.work)
    inputs, img = write_inputs(b, Path(a.data), work, a.quick)
    rows = []

    def add(figure, cmd, target, stdin=None, crit=None, ref=None, per=None, runs=None):
        r = timed(cmd, runs or a.runs, stdin)
        r.update(figure=figure, command=" ".join(
            [Path(cmd[0]).name] + [str(c) for c in cmd[1:]]) + (f" < {Path(stdin).name}" if stdin else ""),
            target=target, criterion=crit, reference=ref, per=per)
        rows.append(r)
        print(f"  {figure}: median {r['median_s']:.3f} s [{r['min_s']:.3f}, {r['max_s']:.3f}], "
              f"peak {r['peak_rss_mib']:.0f} MiB", file=sys.stderr, flush=True)

    py_sed = python_sed_seconds_per_arch()
    sed_crit = criterion("sed", "parse_and_score_nb201")
    led_crit = criterion("sed", "led_flow_parse_and_score_nb201")
    for proxy, crit in [("sed", sed_crit), ("led-flow", led_crit)]:
        add(f"score --space nb201 --proxy {proxy}, 1 M lines stdin → stdout",
            [b, "score", "--space", "nb201", "--proxy", proxy], "≤ 0.3 s",
            stdin=inputs["nb201_1m"],
            crit=crit and {"per_arch_s": crit["mean_s"] / 15625, **crit},
            ref={"what": "plain Python SED loop (benches/sed_python.py), 1 M archs",
                 "seconds": py_sed * 1e6} if proxy == "sed" else None, per=1_000_000)
    add("score --space nb201, 1 M lines, --threads 1",
        [b, "score", "--space", "nb201", "--threads", "1"], "", stdin=inputs["nb201_1m"],
        per=1_000_000)
    if "nb201_10m" in inputs:
        add("score --space nb201, 10 M lines (memory)", [b, "score", "--space", "nb201"],
            "memory independent of input", stdin=inputs["nb201_10m"], per=10_000_000, runs=2)
    for sp, key in [("nb101", "nb101_1m"), ("darts", "darts_1m")]:
        if key in inputs:
            add(f"score --space {sp}, 1 M lines", [b, "score", "--space", sp],
                "≤ 0.9 s (3× NB201 per line)", stdin=inputs[key], per=1_000_000)
    add("enumerate --nodes 5 --top 5 (9,765,625 cells)",
        [b, "enumerate", "--nodes", "5", "--top", "5"], "≤ 0.6 s", per=9_765_625)
    add("enumerate (all 15,625 NB201 rows)", [b, "enumerate"], "", per=15625)
    sk = skimage_seconds(img)
    for t in ["1", "2"]:
        h1c = criterion("local_h1", f"u8_512x512_7x7_crop/{t}t")
        add(f"entropy 512×512 u8, 7×7 crop, exact H1, --threads {t}",
            [b, "entropy", str(inputs["img512"]), "--kernel", "7x7", "--border", "crop",
             "--estimator", "exact", "--threads", t, "--out", str(work / "h1.npy")],
            "≥ 1.8× from 1 to 2 threads (kernel)", crit=h1c,
            ref={"what": "skimage.filters.rank.entropy, same image, in-process", "seconds": sk},
            per=512 * 512)
    for t in ["1", "2"]:
        h2c = criterion("local_h2", f"batch64_16x16x8_3x3x3/{t}t")
        add(f"entropy batch 64×16×16×8, 3×3×3 gaussian H2, --threads {t}",
            [b, "entropy", str(inputs["batch64"]), "--kernel", "3x3x3", "--border", "crop",
             "--estimator", "gaussian", "--threads", t], "≥ 2 M windows/s per core (kernel)",
            crit=h2c, per=2048)
    if not a.quick:
        add("entropy 4096×4096 u8, 7×7 crop (memory)",
            [b, "entropy", str(inputs["img4096"]), "--kernel", "7x7", "--border", "crop",
             "--out", str(work / "h1big.npy")], "state the peak", per=4096 * 4096, runs=2)
    meta = {"date": time.strftime("%Y-%m-%d"), "machine": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "rows": rows}
    (work / "bench-cli.json").write_text(json.dumps(meta, indent=1, default=str))
    print(f"| figure | whole process: median [min–max] of {a.runs} | peak RSS | per item | criterion (kernel) | same-run reference | target |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        per = r["per"]
        per_item = f"{r['median_s'] / per * 1e9:.0f} ns" if per else ""
        c = r["criterion"]
        if c and "per_arch_s" in c:
            cs = f"{c['per_arch_s'] * 1e9:.0f} ns/arch"
        elif c:
            cs = f"{c['mean_s'] * 1e3:.2f} ms"
        else:
            cs = "—"
        ref = r["reference"]
        rs = f"{ref['what']}: {ref['seconds'] * 1e3:.1f} ms" if ref else "—"
        print(f"| `{r['command']}` | {r['median_s']:.3f} s [{r['min_s']:.3f}–{r['max_s']:.3f}] | "
              f"{r['peak_rss_mib']:.0f} MiB | {per_item} | {cs} | {rs} | {r['target']} |")


if __name__ == "__main__":
    main()
