#!/usr/bin/env python3
"""Cross-check of sednas' burn networks against the benchmarks' own PyTorch code.

For each space, a sample of architectures is exported from burn (`sednas nn-export`: the
network exactly as `sednas measure` builds it, its parameters, the input batch, the logits
and every map measure captures), the benchmark's reference network is built in PyTorch,
burn's parameters are copied into it (every reference parameter and BatchNorm buffer
assigned exactly once, shapes equal), the same batch is forwarded in the same BatchNorm mode
(train mode: batch statistics, biased variance, eps 1e-5 on both sides), and the logits
and every captured map are compared:

    max |burn - ref| <= TOL * (1 + max |ref|)      (per tensor, TOL = 1e-4 by default)

References:
* NB201: xautodl's TinyNetwork (models/cell_infers) with InferCell, built by
  xautodl.models.get_cell_based_tiny_net({'name': 'infer.tiny', ...}) from the arch string
  (CellStructure.str2structure).
* NB101: nasbench_pytorch.model.Network (pruning by its own ModelSpec), stem width C and
  one module per stack.
* DARTS: darts_ref.NetworkCIFAR, a port of quark0/darts cnn/model.py + operations.py
  (see its header), auxiliary head off, no drop_path.

Widths are small so that the run is fast; the networks' semantics do not depend on them
(default: NB201 C = 4, N = 1; NB101 C = 8, M = 1; DARTS C = 4, L = 5).

Prints, per space and per map name, the largest absolute difference and the largest
difference relative to the tolerance's scale; exits 1 on any mismatch (or on any
architecture that fails to export or build), 0 otherwise.
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

NB201_OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
NB101_OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]
DARTS_OPS = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3",
             "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]


def bn_name(x):
    return {"gamma": "weight", "beta": "bias"}.get(x, x)


# ---------------------------------------------------------------- samples


def nb201_sample(n, rng):
    arch = lambda e: "|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|".format(*e)
    out = [arch([op] * 6) for op in NB201_OPS]  # all none, all skip, all of each op
    # disconnected: the output node has no path from the input (all-zero maps)
    out += [
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|",
        "|none~0|+|none~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|nor_conv_1x1~2|",
        "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|avg_pool_3x3~2|",
        # one edge straight to the output
        "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|",
        "|none~0|+|none~0|none~1|+|avg_pool_3x3~0|none~1|none~2|",
    ]
    while len(out) < n:
        a = arch([rng.choice(NB201_OPS) for _ in range(6)])
        if a not in out:
            out.append(a)
    return out


def nb101_prune_removes(mat):
    """Vertices not on an input->output path (NB101's pruning removes them)."""
    v = len(mat)
    fwd, bwd = {0}, {v - 1}
    for j in range(v):
        for i in range(j):
            if i in fwd and mat[i][j]:
                fwd.add(j)
    for i in range(v - 1, -1, -1):
        for j in range(i + 1, v):
            if j in bwd and mat[i][j]:
                bwd.add(i)
    if v - 1 not in fwd:
        return None
    return [k for k in range(v) if k not in fwd or k not in bwd]


def nb101_sample(n, rng, csv_path):
    out = []
    n_gen = max(15, n // 6)
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            if len(out) >= n - n_gen:
                break
            out.append("{}|{}".format(row["adjacency_rowmajor"], row["ops"]))
    # generated cells whose pruning removes vertices (the CSV's are already pruned)
    tries = 0
    while len(out) < n:
        tries += 1
        v = 7
        mat = [[0] * v for _ in range(v)]
        pairs = [(i, j) for i in range(v) for j in range(i + 1, v)]
        for (i, j) in rng.sample(pairs, rng.randint(4, 9)):
            mat[i][j] = 1
        removed = nb101_prune_removes(mat)
        if not removed or len(removed) >= 5:
            continue
        ops = ["input"] + [rng.choice(NB101_OPS) for _ in range(v - 2)] + ["output"]
        bits = "".join(str(mat[i][j]) for i in range(v) for j in range(v))
        a = "{}|{}".format(bits, ",".join(ops))
        if a not in out:
            out.append(a)
    return out


def darts_sample(n, rng, csv_path):
    out = []
    n_gen = max(15, n // 6)
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            if len(out) >= n - n_gen:
                break
            out.append("{}|{}".format(row["normal_cell"], row["reduce_cell"]))

    def cell(ops, twice):
        edges = []
        for node in range(4):
            a = rng.randrange(node + 2)
            b = a if twice and node == 0 else rng.randrange(node + 2)
            edges += ["{}~{}".format(rng.choice(ops), a), "{}~{}".format(rng.choice(ops), b)]
        return ";".join(edges)

    # none everywhere, skip (FactorizedReduce at stride 2) everywhere, and random cells
    # over every op including none, the first node fed twice by one input
    all_of = lambda op: ";".join("{}~{}".format(op, i) for i in [0, 1, 0, 1, 0, 1, 0, 1])
    out += ["{}|{}".format(all_of("none"), all_of("none")),
            "{}|{}".format(all_of("skip_connect"), all_of("skip_connect"))]
    while len(out) < n:
        out.append("{}|{}".format(cell(DARTS_OPS, True), cell(DARTS_OPS, True)))
    return out


def parse_naslib(text):
    """NASLib `op~in;...|op~in;...` -> darts_ref.Genotype (concat 2..5), parsed here
    independently of sednas."""
    from darts_ref import Genotype

    normal, reduce = text.split("|")
    cell = lambda s: [(e.split("~")[0], int(e.split("~")[1])) for e in s.split(";")]
    return Genotype(cell(normal), [2, 3, 4, 5], cell(reduce), [2, 3, 4, 5])


# ---------------------------------------------------------------- reference networks


def build_nb201(arch, width, cells):
    from xautodl.models import get_cell_based_tiny_net

    net = get_cell_based_tiny_net(
        {"name": "infer.tiny", "C": width, "N": cells, "arch_str": arch, "num_classes": 10})

    def rename(b):
        p = b.split(".")
        if p[0] == "stem":
            return "stem.0." + p[1]
        if p[0] == "stem_bn":
            return "stem.1." + bn_name(p[1])
        if p[0] == "cells":
            k = int(p[1])
            idx = k + k // cells  # a residual block sits before stages 2 and 3
            # edges.E.conv.{conv.weight | bn.X}
            assert p[2] == "edges" and p[4] == "conv", b
            tail = "op.1.weight" if p[5] == "conv" else "op.2." + bn_name(p[6])
            return "cells.{}.layers.{}.{}".format(idx, p[3], tail)
        if p[0] == "reductions":
            r = int(p[1])
            idx = (r + 1) * cells + r
            if p[2] in ("a", "b"):
                sub = "conv_a" if p[2] == "a" else "conv_b"
                tail = "op.1.weight" if p[3] == "conv" else "op.2." + bn_name(p[4])
                return "cells.{}.{}.{}".format(idx, sub, tail)
            assert p[2] == "proj", b
            return "cells.{}.downsample.1.weight".format(idx)
        if p[0] == "last_bn":
            return "lastact.0." + bn_name(p[1])
        if p[0] == "classifier":
            return b
        raise KeyError(b)

    def forward(x):
        caught = []
        hooks = [net.stem.register_forward_hook(lambda m, i, o: caught.append(o.clone()))]
        for c in net.cells:
            hooks.append(c.register_forward_hook(lambda m, i, o: caught.append(o.clone())))
        _, logits = net(x)
        for h in hooks:
            h.remove()
        names, stage, k = ["stem"], 1, 0
        for c in net.cells:
            if type(c).__name__ == "ResNetBasicblock":
                names.append("reduction{}".format(stage))
                stage, k = stage + 1, 0
            else:
                k += 1
                names.append("stage{}_cell{}".format(stage, k))
        return logits, list(zip(names, caught))

    return net, rename, forward, set()


def build_nb101(arch, width, cells):
    from nasbench_pytorch.model import Network

    bits, ops = arch.split("|")
    ops = ops.split(",")
    v = len(ops)
    mat = np.array([int(c) for c in bits], dtype=np.int64).reshape(v, v)
    net = Network((mat, ops), num_labels=10, in_channels=3, stem_out_channels=width,
                  num_stacks=3, num_modules_per_stack=cells)
    keys = dict(net.named_parameters())
    keys.update(dict(net.named_buffers()))

    def rename(b):
        p = b.split(".")
        if p[0] == "stem":
            return "layers.0.conv_bn_relu." + ("0.weight" if p[1] == "conv" else "1." + bn_name(p[2]))
        if p[0] == "modules":
            m = int(p[1])
            layer = 1 + m + m // cells  # a max pool sits before stacks 2 and 3
            cell = net.layers[layer]
            nv = cell.num_vertices
            if p[2] == "out_proj":
                base, q = "input_op.{}".format(nv - 1), p[3:]
            elif p[2] == "vertices" and p[4] == "proj":
                base, q = "input_op.{}".format(int(p[3]) + 1), p[5:]
            elif p[2] == "vertices" and p[4] == "conv":
                t = int(p[3]) + 1
                kind = "conv3x3" if hasattr(cell.vertex_op[t], "conv3x3") else "conv1x1"
                base, q = "vertex_op.{}.{}".format(t, kind), p[5:]
            else:
                raise KeyError(b)
            tail = "0.weight" if q[0] == "conv" else "1." + bn_name(q[1])
            return "layers.{}.{}.conv_bn_relu.{}".format(layer, base, tail)
        if p[0] == "classifier":
            return b
        raise KeyError(b)

    # nasbench_pytorch's dummies, never used in a forward: Cell.dev_param (0 elements, a
    # device marker) and Placeholder.a (a scalar in the slots of ops / projections that do
    # not exist)
    unused = {k for k in keys if k.endswith(".dev_param") or k.endswith(".a")}

    def forward(x):
        caught = []
        hooks = [l.register_forward_hook(lambda m, i, o: caught.append(o.clone()))
                 for l in net.layers]
        logits = net(x)
        for h in hooks:
            h.remove()
        names, stack, mod = [], 0, 0
        for l in net.layers:
            kind = type(l).__name__
            if kind == "ConvBnRelu":
                names.append("stem")
            elif kind == "MaxPool2d":
                stack += 1
                mod = 0
                names.append("downsample{}".format(stack))
            else:
                mod += 1
                names.append("stack{}_module{}".format(stack + 1, mod))
        return logits, list(zip(names, caught))

    return net, rename, forward, unused


def build_darts(arch, width, cells):
    from darts_ref import NetworkCIFAR

    g = parse_naslib(arch)
    net = NetworkCIFAR(width, 10, cells, g)

    def rename(b):
        p = b.split(".")
        if p[0] == "stem_conv":
            return "stem.0.weight"
        if p[0] == "stem_bn":
            return "stem.1." + bn_name(p[1])
        if p[0] == "cells":
            k = "cells.{}.".format(p[1])
            if p[2] in ("pre0", "pre1"):
                pre = "preprocess0" if p[2] == "pre0" else "preprocess1"
                return k + pre + (".op.1.weight" if p[3] == "conv" else ".op.2." + bn_name(p[4]))
            if p[2] == "pre0_reduce":
                return k + "preprocess0." + {"a": "conv_1.weight", "b": "conv_2.weight"}.get(
                    p[3], "bn." + bn_name(p[-1]))
            if p[2] == "edges":
                e = "_ops.{}.".format(p[3])
                if p[4] == "reduce":
                    return k + e + {"a": "conv_1.weight", "b": "conv_2.weight"}.get(
                        p[5], "bn." + bn_name(p[-1]))
                if p[4] == "convs":
                    j = int(p[5])
                    pos = {"dw": 1, "pw": 2, "bn": 3}[p[6]] + 4 * j
                    tail = "weight" if p[6] in ("dw", "pw") else bn_name(p[7])
                    return k + e + "op.{}.{}".format(pos, tail)
            raise KeyError(b)
        if p[0] == "classifier":
            return b
        raise KeyError(b)

    def forward(x):
        logits, feats = net(x)
        names = ["stem"] + ["cell{}{}".format(i + 1, "_reduce" if c._ops and c.reduction else "")
                            for i, c in enumerate(net.cells)]
        return logits, list(zip(names, feats))

    return net, rename, forward, set()


BUILDERS = {"nb201": build_nb201, "nb101": build_nb101, "darts": build_darts}


# ---------------------------------------------------------------- comparison


def load(d, e):
    return np.load(os.path.join(d, e["file"]))


def assign(net, rename, unused, d, manifest):
    """Copies burn's parameters into `net`; every reference parameter / buffer (bar
    num_batches_tracked and the declared unused dummies) exactly once, shapes equal."""
    ref = dict(net.named_parameters())
    ref.update(dict(net.named_buffers()))
    want = {k for k in ref if not k.endswith("num_batches_tracked")} - unused
    done = {}
    for e in manifest["params"]:
        key = rename(e["name"])
        if key in done:
            raise AssertionError("{} and {} both map to {}".format(done[key], e["name"], key))
        if key not in want:
            raise AssertionError("burn {} -> {}: no such reference tensor".format(e["name"], key))
        a = load(d, e)
        if e["name"] == "classifier.weight":
            a = a.T  # burn's Linear holds d_in x d_out
        t = ref[key]
        if tuple(a.shape) != tuple(t.shape):
            raise AssertionError("{} -> {}: shape {} vs {}".format(e["name"], key, a.shape, tuple(t.shape)))
        with torch.no_grad():
            t.copy_(torch.from_numpy(np.ascontiguousarray(a)).to(t.dtype))
        done[key] = e["name"]
    missing = want - set(done)
    if missing:
        raise AssertionError("reference tensors not assigned: {}".format(sorted(missing)[:8]))
    # BatchNorm conventions of the reference: eps 1e-5 everywhere, as burn's default
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            assert m.eps == manifest["batch_norm"]["epsilon"], m
            assert m.affine


class Stats:
    def __init__(self):
        self.worst = {}  # name -> (abs diff, relative to 1 + max|ref|, arch)
        self.fail = []

    def add(self, space, name, a, b, arch, tol, absolute=False):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        both_nan = np.isnan(a) & np.isnan(b)
        a, b = np.where(both_nan, 0.0, a), np.where(both_nan, 0.0, b)
        diff = float(np.max(np.abs(a - b))) if a.size else 0.0
        scale = 1.0 if absolute else 1.0 + (float(np.max(np.abs(b))) if b.size else 0.0)
        rel = diff / scale
        k = (space, name)
        if k not in self.worst or rel > self.worst[k][1]:
            self.worst[k] = (diff, rel, arch)
        if not rel <= tol:
            self.fail.append("{} {} {}: max|diff| {:.3g} > {:g}*(1+{:.3g})".format(
                space, arch, name, diff, tol, scale - 1.0))


def check_one(space, arch, d, width, cells, stats, tol):
    with open(os.path.join(d, "manifest.json")) as f:
        manifest = json.load(f)
    net, rename, forward, unused = BUILDERS[space](arch, width, cells)
    assign(net, rename, unused, d, manifest)
    net.train()  # BatchNorm with the batch's statistics, as measure forwards
    x = torch.from_numpy(load(d, manifest["input"]).astype(np.float32))
    with torch.no_grad():
        logits, maps = forward(x)
    stats.add(space, "logits", load(d, manifest["logits"]), logits.double().numpy(), arch, tol)
    ref = {}
    for name, t in maps:
        ref[name + ".out"] = t
        ref[name + ".relu"] = torch.relu(t)
    names = [e["name"] for e in manifest["maps"]]
    expect = [n for name, _ in maps for n in (name + ".out", name + ".relu")]
    if names != expect:
        stats.fail.append("{} {}: burn maps {} vs reference {}".format(space, arch, names, expect))
        return
    for e in manifest["maps"]:
        stats.add(space, e["name"], load(d, e), ref[e["name"]].double().numpy(), arch, tol)


PROFILE_FIGURES = ("h1b", "zero", "h2")  # what the six summaries are computed from


def check_profile(arch, d, width, cells, stats, tol):
    """`sednas.torch.entropy_profile` on the reference NB201 network carrying burn's weights
    against `sednas measure` (measure.json of the export): the cells' outputs captured by
    forward hooks, ReLU'd (`transform=torch.relu`: measure's `relu` maps), BatchNorm in train
    mode (`allow_train=True`), same kernel (3x3x1) and estimator (binned:N).

    The maps agree to about 1e-6 (relative), not bit for bit, so binned H1 and the zero
    fraction are compared to `tol` (a value may cross a bin edge). H2 is not: across a batch
    of 16 a 3x3 window's covariance can be nearly singular (smooth maps after average
    pooling), and there a 1e-6 change of the map moves the mean H2 by up to 0.07 bits. H2 is
    checked as a chain of exact links instead: entropy_profile's H2 equals the library's H2 of
    the reference map it captured, and measure's H2 equals the library's H2 of burn's exported
    map (both to 1e-9 bits); the maps themselves are compared by check_one. The H2 difference
    between the two networks is printed (`profile h2 ...`), not asserted."""
    import sednas.torch
    from sednas import _sednas

    with open(os.path.join(d, "manifest.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(d, "measure.json")) as f:
        measured = json.load(f)
    net, rename, _, _ = BUILDERS["nb201"](arch, width, cells)
    assign(net, rename, set(), d, manifest)
    net.train()
    x = torch.from_numpy(load(d, manifest["input"]).astype(np.float32))
    modules = ["stem"] + ["cells.{}".format(k) for k in range(len(net.cells))]
    estimator = "binned:{}".format(measured["config"]["bins"])
    opts = dict(modules=modules, transform=torch.relu, allow_train=True)
    rows, summaries = sednas.torch.entropy_profile(
        net, x, kernel=(3, 3), estimator=estimator, **opts)
    captured = sednas.torch.capture_maps(net, x, **opts)
    burn = [m for m in measured["maps"] if m["kind"] == "relu"]
    maps = {e["name"]: e for e in manifest["maps"]}
    if len(rows) != len(burn) or len(captured) != len(burn):
        stats.fail.append("profile {}: {} rows vs {} relu maps".format(arch, len(rows), len(burn)))
        return
    exact = 1e-9
    for r, (_, _, a), m in zip(rows, captured, burn):
        for f in ("h1b", "zero"):
            stats.add("profile", "{}.{}".format(m["layer"], f), np.array([m[f]]),
                      np.array([r[f]]), arch, tol, absolute=True)
        ref_h2 = _sednas._profile_map(a, (3, 3), estimator, True)["h2"]
        stats.add("profile", "{}.h2 (ref map)".format(m["layer"]), np.array([r["h2"]]),
                  np.array([ref_h2]), arch, exact, absolute=True)
        e = maps[m["layer"] + ".relu"]
        b = np.ascontiguousarray(load(d, e).transpose(0, 2, 3, 1)).astype(np.float32)
        burn_h2 = _sednas._profile_map(b, (3, 3), estimator, True)["h2"]
        stats.add("profile", "{}.h2 (burn map)".format(m["layer"]), np.array([m["h2"]]),
                  np.array([burn_h2]), arch, exact, absolute=True)
        stats.add("profile", "{}.h2 burn vs ref".format(m["layer"]), np.array([m["h2"]]),
                  np.array([r["h2"]]), arch, np.inf, absolute=True)
    for k, v in measured["summaries"].items():
        stats.add("profile", "summary " + k, np.array([v]), np.array([summaries[k]]), arch,
                  np.inf if k.startswith("h2") else tol, absolute=True)


def export(sednas, space, arch, width, cells, seed, batch, out, measure=False):
    cmd = [sednas, "nn-export", "--space", space, "--arch", arch, "--width", str(width),
           "--cells", str(cells), "--seed", str(seed), "--batch", str(batch), "--out", out]
    if not measure:
        cmd.append("--no-measure")
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return "export failed ({}): {}".format(r.returncode, r.stderr.strip()[-400:])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sednas", required=True, help="path to the sednas binary")
    ap.add_argument("--spaces", default="nb201,nb101,darts")
    ap.add_argument("-n", type=int, default=100, help="architectures per space (>= 100 in CI)")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--nb201", default="4,1", help="NB201 width,cells")
    ap.add_argument("--nb101", default="8,1", help="NB101 width,modules per stack")
    ap.add_argument("--darts", default="4,5", help="DARTS width,cells")
    ap.add_argument("--data", default=os.environ.get("SEDNAS_DATA", os.path.join(HERE, "..", "..", "..", "shared", "data")))
    ap.add_argument("--seed", type=int, default=0, help="sample seed (init seed of arch k: k)")
    ap.add_argument("--jobs", type=int, default=2, help="sednas exports run at once")
    ap.add_argument("--profile", type=int, default=8,
                    help="NB201 architectures on which sednas.torch.entropy_profile is compared "
                         "with sednas measure (needs the sednas package; 0: off)")
    ap.add_argument("--profile-batch", type=int, default=16,
                    help="images in the profile comparison's batch (sednas measure's default 16)")
    ap.add_argument("--profile-tol", type=float, default=1e-3,
                    help="largest difference of a profile figure (bits; fraction for zero)")
    ap.add_argument("--work", help="keep the exports here (default: a removed temp folder)")
    args = ap.parse_args()

    torch.set_num_threads(1)
    rng = random.Random(args.seed)
    work = args.work or tempfile.mkdtemp(prefix="sednas-crosscheck-")
    stats = Stats()
    t0 = time.time()
    try:
        for space in args.spaces.split(","):
            width, cells = (int(v) for v in getattr(args, space).split(","))
            if space == "nb201":
                archs = nb201_sample(args.n, rng)
            elif space == "nb101":
                archs = nb101_sample(args.n, rng, os.path.join(args.data, "nb101_nasbenchvis_10k.csv"))
            else:
                archs = darts_sample(args.n, rng, os.path.join(args.data, "nb301_zc_proxies_naslib_sample.csv"))
            ts = time.time()
            dirs = [os.path.join(work, space, "{:04d}".format(k)) for k in range(len(archs))]
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                futs = [pool.submit(export, args.sednas, space, a, width, cells, k, args.batch, d)
                        for k, (a, d) in enumerate(zip(archs, dirs))]
                for a, d, f in zip(archs, dirs, futs):
                    err = f.result()
                    if err:
                        stats.fail.append("{} {}: {}".format(space, a, err))
                        continue
                    try:
                        check_one(space, a, d, width, cells, stats, args.tol)
                    except Exception as e:  # a build or assignment failure is a mismatch
                        stats.fail.append("{} {}: {}: {}".format(space, a, type(e).__name__, e))
                    if not args.work:
                        shutil.rmtree(d, ignore_errors=True)
            print("{}: {} architectures (C = {}, cells = {}, batch {}) in {:.1f} s".format(
                space, len(archs), width, cells, args.batch, time.time() - ts), flush=True)
            for (sp, name), (diff, rel, arch) in stats.worst.items():
                if sp == space:
                    print("  {:<28} max|burn-ref| {:.3e}   /(1+max|ref|) {:.3e}   ({})".format(
                        name, diff, rel, arch))
            if space == "nb201" and args.profile > 0:
                ts = time.time()
                picked = (archs[:5] + archs[10:])[:args.profile]  # every op, then random cells
                for k, a in enumerate(picked):
                    d = os.path.join(work, "profile", "{:04d}".format(k))
                    err = export(args.sednas, space, a, width, cells, k, args.profile_batch, d,
                                 measure=True)
                    if err:
                        stats.fail.append("profile {}: {}".format(a, err))
                        continue
                    try:
                        check_profile(a, d, width, cells, stats, args.profile_tol)
                    except Exception as e:
                        stats.fail.append("profile {}: {}: {}".format(a, type(e).__name__, e))
                print("sednas.torch.entropy_profile vs sednas measure: {} NB201 architectures "
                      "in {:.1f} s (largest |difference|; bits, fractions for zero)".format(
                          len(picked), time.time() - ts), flush=True)
                for (sp, name), (diff, _, arch) in stats.worst.items():
                    if sp == "profile":
                        print("  {:<28} {:.3e}   ({})".format(name, diff, arch))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("total {:.1f} s".format(time.time() - t0))
    if stats.fail:
        print("MISMATCH: {} failure(s); first ones:".format(len(stats.fail)))
        for f in stats.fail[:20]:
            print("  " + f)
        return 1
    print("OK: every map and the logits agree within max|diff| <= {:g}*(1+max|ref|)".format(args.tol))
    return 0


if __name__ == "__main__":
    sys.exit(main())
