"""pytest for the protocol helpers of the sednas package (canonical_text, protocol_half,
nb201_ops, competition_ranks, top_percent, expected_hits): each against a small
independent computation written here (a deliberate cross-check, not a second
implementation for use), against the split sizes `sednas benchmark` fixes, and bad input
that must raise.

The benchmark data is $SEDNAS_DATA, else ../shared/data; a test that needs it is skipped
when it is missing, except under CI=true, where it fails.
"""

import csv
import math
import os
from pathlib import Path

import numpy as np
import pytest

import sednas

ROOT = Path(__file__).resolve().parents[2]
CI = os.environ.get("CI") == "true"
BEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def data_file(name):
    p = Path(os.environ.get("SEDNAS_DATA", str(ROOT.parent / "shared" / "data"))) / name
    if p.exists():
        return p
    if CI:
        pytest.fail(f"CI=true but benchmark data file {p} not found")
    pytest.skip(f"benchmark data file {p} not found")


def read(name):
    with open(data_file(name)) as f:
        return list(csv.DictReader(f))


def fnv1a64(text):
    # the protocol's hash written out (docs/benchmark-protocol.md), to check protocol_half
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def test_canonical_text_is_the_nb201_string_and_trims():
    assert sednas.canonical_text([BEST, "  " + BEST + "\n"]) == [BEST, BEST]


def test_canonical_text_nb101_pair_forms_agree():
    m = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    ops = ["input", "conv3x3-bn-relu", "output"]
    want = ["010001000|input,conv3x3-bn-relu,output"]
    assert sednas.canonical_text([(m, ops)], space="nb101") == want
    assert sednas.canonical_text([("010001000", ",".join(ops))], space="nb101") == want
    assert sednas.canonical_text(["010001000|input,conv3x3-bn-relu,output"], space="nb101") == want


def test_canonical_text_darts_naslib_and_genotype_agree():
    n = "sep_conv_3x3~0;sep_conv_3x3~1;skip_connect~0;sep_conv_3x3~1;max_pool_3x3~0;avg_pool_3x3~2;dil_conv_3x3~2;none~0"
    (g,) = sednas.canonical_text([n + "|" + n], space="darts")
    assert g.startswith("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1),")
    assert sednas.canonical_text([g], space="darts") == [g]


def test_protocol_half_is_the_top_bit_of_fnv1a64():
    archs = [r["arch_str"] for r in read("nb201_arch_cost.csv")[:500]]
    got = sednas.protocol_half(archs)
    want = ["design" if fnv1a64(a) >> 63 == 0 else "report" for a in archs]
    assert got == want
    assert set(got) == {"design", "report"}


def test_protocol_half_gives_the_protocols_split_sizes():
    # tests/benchmark.rs fixes these: NB201 design 7,716 of the 15,625 cells,
    # NB101 design 5,039 of the 9,987 runs that did not diverge (accuracy >= 15 %)
    nb201 = sednas.protocol_half([r["arch_str"] for r in read("nb201_cifar10_valid_acc_nb201v1_0.csv")])
    assert nb201.count("design") == 7_716
    rows = [r for r in read("nb101_nasbenchvis_10k.csv") if float(r["valid_acc_108ep_1run"]) >= 15]
    nb101 = sednas.protocol_half([(r["adjacency_rowmajor"], r["ops"]) for r in rows], space="nb101")
    assert nb101.count("design") == 5_039


def test_nb201_ops_match_the_string():
    archs = [r["arch_str"] for r in read("nb201_arch_cost.csv")[:300]]
    for a, ops in zip(archs, sednas.nb201_ops(archs)):
        edges = [e for node in a.strip("|").split("|+|") for e in node.split("|")]
        assert ops == [e.split("~")[0] for e in edges]
    assert sednas.nb201_ops(["|skip_connect~0|+|none~0|nor_conv_1x1~1|"]) == [["skip_connect", "none", "nor_conv_1x1"]]


def test_competition_ranks_against_a_count():
    rng = np.random.default_rng(7)
    v = rng.integers(0, 20, 300).astype(float)
    v[::17] = np.nan
    got = sednas.competition_ranks(v)
    finite = v[~np.isnan(v)]
    want = [1 + int((finite > x).sum()) if not math.isnan(x) else 1 + len(finite) for x in v]
    assert got.dtype == np.int64 and got.tolist() == want


def test_top_percent_and_expected_hits_against_a_direct_count():
    rng = np.random.default_rng(3)
    acc = rng.integers(0, 50, 1000).astype(float)
    score = rng.integers(0, 30, 1000).astype(float)
    hit = sednas.top_percent(acc, 1.0)
    k1 = math.ceil(len(acc) / 100)
    assert hit.tolist() == (acc >= np.sort(acc)[::-1][k1 - 1]).tolist()
    for k in (1, 10, 100):
        b = np.sort(score)[::-1][k - 1]
        above, tie = score > b, score == b
        want = hit[above].sum() + (k - above.sum()) * hit[tie].sum() / tie.sum()
        assert sednas.expected_hits(score, hit, k) == pytest.approx(want, abs=1e-12)
    # NaN scores are never picked; k past the scored cells takes them all
    s = np.array([np.nan, 2.0, 1.0])
    assert sednas.expected_hits(s, np.array([True, True, False]), 5) == 1.0
    assert sednas.expected_hits(s, np.array([True, True, False]), 0) == 0.0


@pytest.mark.parametrize(
    "call, exc",
    [
        (lambda: sednas.canonical_text(BEST), TypeError),
        (lambda: sednas.canonical_text(["|nor_conv_3x3~1|"]), ValueError),
        (lambda: sednas.canonical_text([BEST], space="nb999"), ValueError),
        (lambda: sednas.protocol_half([3]), TypeError),
        (lambda: sednas.nb201_ops(BEST), TypeError),
        (lambda: sednas.nb201_ops(["x"]), ValueError),
        (lambda: sednas.competition_ranks(np.zeros((2, 2))), ValueError),
        (lambda: sednas.competition_ranks("abc"), TypeError),
        (lambda: sednas.top_percent([1.0, 2.0], 0.0), ValueError),
        (lambda: sednas.top_percent([1.0, 2.0], float("nan")), ValueError),
        (lambda: sednas.expected_hits([1.0, 2.0], [True], 1), ValueError),
        (lambda: sednas.expected_hits([1.0, 2.0], [1, 0], 1), TypeError),
        (lambda: sednas.expected_hits([1.0, 2.0], [True, False], -1), ValueError),
        (lambda: sednas.expected_hits([1.0, 2.0], [True, False], 1.5), TypeError),
    ],
)
def test_bad_input_raises(call, exc):
    with pytest.raises(exc):
        call()


def test_an_unparsable_architecture_is_named_by_position():
    with pytest.raises(ValueError, match="architecture 1"):
        sednas.protocol_half([BEST, "|bogus~0|+|none~0|none~1|+|none~0|none~1|none~2|"])
