"""burn (Flex, CPU) vs PyTorch (CPU) train step, in one run, on the same two networks.

1. The NB201 network at the benchmark's scale (C = 16, N = 5, 3×32×32 inputs, batch 64,
   the README's best-SED cell), as `src/nn/nb201.rs` builds it (ReLU-conv-BN edges,
   residual reduction blocks, BN-ReLU, GAP, linear).
2. The operation-ablation CNN of `experiment net-ablation` (`src/nn/plain.rs`, width 16,
   max pool 3, kernel 5, skip on, 1×28×28 inputs, batch 64).

Each: one Adam step = forward, cross-entropy, backward, update, loss read back; median of
the timed steps after one warm-up step. The burn side is `sednas nn-bench` (release binary);
PyTorch uses as many threads as burn can (torch.set_num_threads(os.cpu_count())).

Run: python benches/torch_step.py [--steps 5] [--sednas target/release/sednas]
(needs `pip install torch`). Prints one JSON object per network and the ratios.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def relu_conv_bn(cin, cout, k, stride):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout))


class Edge(nn.Module):
    def __init__(self, op, c):
        super().__init__()
        self.op = op
        if op == "nor_conv_3x3":
            self.f = relu_conv_bn(c, c, 3, 1)
        elif op == "nor_conv_1x1":
            self.f = relu_conv_bn(c, c, 1, 1)
        elif op == "avg_pool_3x3":
            self.f = nn.AvgPool2d(3, 1, 1, count_include_pad=False)

    def forward(self, x):
        if self.op == "none":
            return None
        if self.op == "skip_connect":
            return x
        return self.f(x)


class Cell(nn.Module):
    def __init__(self, arch, c):
        super().__init__()
        self.edges = nn.ModuleDict()
        for j, node in enumerate(arch.strip("|").split("|+|"), start=1):
            for e in node.strip("|").split("|"):
                op, i = e.split("~")
                self.edges[f"{j}_{i}"] = Edge(op, c)

    def forward(self, x):
        nodes = [x]
        for j in range(1, 4):
            parts = [self.edges[f"{j}_{i}"](nodes[i]) for i in range(j)]
            parts = [p for p in parts if p is not None]
            nodes.append(sum(parts) if parts else torch.zeros_like(x))
        return nodes[3]


class ResBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = relu_conv_bn(cin, cout, 3, 2)
        self.b = relu_conv_bn(cout, cout, 3, 1)
        self.pool = nn.AvgPool2d(2, 2)
        self.proj = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.b(self.a(x)) + self.proj(self.pool(x))


class Nb201Net(nn.Module):
    def __init__(self, arch, c=16, n=5, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))
        layers, cin = [], c
        for s, w in enumerate([c, 2 * c, 4 * c]):
            if s > 0:
                layers.append(ResBlock(cin, w))
            layers += [Cell(arch, w) for _ in range(n)]
            cin = w
        self.body = nn.Sequential(*layers)
        self.last = nn.Sequential(nn.BatchNorm2d(4 * c), nn.ReLU())
        self.fc = nn.Linear(4 * c, classes)

    def forward(self, x):
        h = self.last(self.body(self.stem(x)))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


class PlainCnn(nn.Module):
    def __init__(self, w=16, pool=3, k=5, skip=True, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, w, 3, 1, 1), nn.BatchNorm2d(w), nn.ReLU())
        self.pool = nn.MaxPool2d(pool, 1, pool // 2) if pool > 1 else nn.Identity()
        self.conv = nn.Sequential(nn.Conv2d(w, w, k, 1, k // 2), nn.BatchNorm2d(w), nn.ReLU())
        self.skip = skip
        self.s2 = nn.Sequential(nn.Conv2d(w, 2 * w, 3, 1, 1), nn.BatchNorm2d(2 * w), nn.ReLU())
        self.s3 = nn.Sequential(nn.Conv2d(2 * w, 4 * w, 3, 1, 1), nn.BatchNorm2d(4 * w), nn.ReLU())
        self.fc = nn.Linear(4 * w, classes)

    def forward(self, x):
        h = F.max_pool2d(self.stem(x), 2)
        h = self.pool(h)
        y = self.conv(h)
        y = y + h if self.skip else y
        y = self.s2(F.max_pool2d(y, 2))
        y = self.s3(F.max_pool2d(y, 2))
        return self.fc(F.adaptive_avg_pool2d(y, 1).flatten(1))


def torch_steps(model, shape, steps):
    torch.manual_seed(0)
    x = torch.randn(*shape)
    y = torch.arange(shape[0]) % 10
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for k in range(steps + 1):
        t = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if k > 0:
            times.append(1e3 * (time.perf_counter() - t))
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--sednas", default="target/release/sednas")
    a = ap.parse_args()
    torch.set_num_threads(os.cpu_count())
    out = {}
    for name, args, model, shape in [
        ("nb201 C=16 N=5 batch 64", ["--net", "nb201"], Nb201Net(CELL), (64, 3, 32, 32)),
        ("plain CNN w=16 o=3 k=5 skip batch 64", ["--net", "plain"], PlainCnn(), (64, 1, 28, 28)),
    ]:
        burn = json.loads(subprocess.check_output(
            [a.sednas, "nn-bench", "--steps", str(a.steps), "--batch", "64", "--width", "16"] + args))
        tt = torch_steps(model, shape, a.steps)
        row = {
            "network": name,
            "burn_flex_median_ms": burn["train_step_median_ms"],
            "burn_flex_ms": burn["train_step_ms"],
            "torch_cpu_median_ms": statistics.median(tt),
            "torch_cpu_ms": tt,
            "torch_params": sum(p.numel() for p in model.parameters()),
            "burn_params_incl_bn_running_stats": burn["params"],
            "ratio_burn_over_torch": burn["train_step_median_ms"] / statistics.median(tt),
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
        }
        out[name] = row
        print(json.dumps(row))


if __name__ == "__main__":
    main()
