"""Speed of the Python package, same process (README "Python package"):

  python python/benches/bench.py [--json OUT]

1. sednas.local_entropy on a 512×512 uint8 image (7×7, crop, exact) vs
   skimage.filters.rank.entropy on the same image (same values; ratio);
2. the overhead of one call on a tiny 3×3 uint8 array;
3. scoring the 15,625 NB201 strings (all proxies), from the embedded enumeration of the
   space (no data file needed).
Best of repeated runs (time.perf_counter).
"""
import itertools
import json
import sys
import time

import numpy as np

import sednas


def best(f, reps):
    f()
    t_best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        f()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best


def nb201_space():
    ops = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
    out = []
    for e in itertools.product(ops, repeat=6):
        out.append(f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|+|{e[3]}~0|{e[4]}~1|{e[5]}~2|")
    return out


def main():
    res = {}
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, size=(512, 512), dtype=np.uint8)
    res["local_entropy_512_7x7_s"] = best(lambda: sednas.local_entropy(img, kernel=(7, 7)), 10)
    try:
        from skimage.filters.rank import entropy

        fp = np.ones((7, 7), dtype=np.uint8)
        a = sednas.local_entropy(img, kernel=(7, 7))
        b = entropy(img, fp)
        res["max_abs_diff_vs_skimage"] = float(np.abs(a - b).max())
        res["skimage_512_7x7_s"] = best(lambda: entropy(img, fp), 5)
        res["ratio_skimage_over_sednas"] = res["skimage_512_7x7_s"] / res["local_entropy_512_7x7_s"]
    except ImportError:
        res["skimage"] = "not installed"
    tiny = np.zeros((3, 3), dtype=np.uint8)
    n = 20000
    t = time.perf_counter()
    for _ in range(n):
        sednas.local_entropy(tiny)
    res["tiny_call_us"] = (time.perf_counter() - t) / n * 1e6
    space = nb201_space()
    for p in ["sed", "led-flow", "ledp", "params"]:
        res[f"score_nb201_{p}_ms"] = best(lambda: sednas.score(space, proxy=p), 10) * 1e3
    print(json.dumps(res, indent=1))
    if len(sys.argv) > 2 and sys.argv[1] == "--json":
        with open(sys.argv[2], "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
