"""pytest for the sednas Python package: each function against the CLI on the same input,
against scikit-image / committed golden values, and bad input that must raise (never crash).

The CLI binary is $SEDNAS_BIN, else target/release/sednas, else target/debug/sednas; the
benchmark data is $SEDNAS_DATA, else ../shared/data. When either is missing a test is
skipped with the reason, except under CI=true, where it fails.
"""

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import sednas

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
CI = os.environ.get("CI") == "true"


def need(path, what):
    if path is not None and Path(path).exists():
        return Path(path)
    msg = f"{what} not found ({path})"
    if CI:
        pytest.fail("CI=true but " + msg)
    pytest.skip(msg)


def cli():
    for p in [os.environ.get("SEDNAS_BIN"), ROOT / "target/release/sednas", ROOT / "target/debug/sednas"]:
        if p and Path(p).is_file():
            return str(p)
    need(None, "the sednas CLI binary (build it with cargo build)")


def data_dir():
    return need(os.environ.get("SEDNAS_DATA", str(ROOT.parent / "shared" / "data")), "benchmark data folder")


def run_cli(*args, stdin=None):
    r = subprocess.run([cli(), *args], input=stdin, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


# ---------------------------------------------------------------- local_entropy


def test_local_entropy_equals_cli(tmp_path):
    img = np.load(GOLDEN / "u8_full_31x40.npy")
    for dtype in (np.uint8, np.float32, np.float64):
        x = img.astype(dtype)
        f = tmp_path / "x.npy"
        np.save(f, x)
        for kernel, border in [((3, 3), "crop"), ((5, 3), "valid"), ((3, 5), "zero"), ((7, 7), "reflect")]:
            out = tmp_path / "h.npy"
            run_cli("entropy", str(f), "--kernel", f"{kernel[1]}x{kernel[0]}", "--border", border, "--out", str(out))
            want = np.load(out)
            got = sednas.local_entropy(x, kernel=kernel, border=border)
            assert got.dtype == np.float64 and got.shape == want.shape
            np.testing.assert_array_equal(got, want)


def test_local_entropy_equals_skimage_golden():
    g = json.loads((GOLDEN / "golden.json").read_text())
    for case in g["skimage_rank_entropy"]:
        img = np.load(GOLDEN / case["image"])
        want = np.load(GOLDEN / case["expected"])
        w, h = (int(v) for v in case["kernel"].split("x"))
        got = sednas.local_entropy(img, kernel=(h, w), border="crop")
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_local_entropy_equals_skimage_in_process():
    skimage = pytest.importorskip("skimage.filters.rank")
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, size=(40, 33), dtype=np.uint8)
    want = skimage.entropy(img, np.ones((5, 7), dtype=np.uint8))
    np.testing.assert_allclose(sednas.local_entropy(img, kernel=(5, 7)), want, atol=1e-9)


def test_exact_value_of_a_small_window():
    img = np.array([[0, 0, 1], [0, 0, 1], [2, 2, 3]], dtype=np.uint8)
    h = sednas.local_entropy(img, kernel=(3, 3), border="valid")
    counts = np.array([4, 2, 2, 1])
    p = counts / 9
    assert h.shape == (1, 1)
    assert abs(h[0, 0] - float(-(p * np.log2(p)).sum())) < 1e-15


def test_layouts_read_without_changing_values():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(30, 41, 3))
    c = np.ascontiguousarray(base)
    f = np.asfortranarray(base)
    strided = np.ascontiguousarray(rng.normal(size=(60, 41, 3)))[::2]
    for x in (c, f, strided, base.transpose(1, 0, 2)):
        want = sednas.local_entropy(np.ascontiguousarray(x), kernel=(3, 3, 3), estimator="binned:8")
        np.testing.assert_array_equal(sednas.local_entropy(x, kernel=(3, 3, 3), estimator="binned:8"), want)


# ---------------------------------------------------------------- gaussian_local_entropy


def test_gaussian_equals_scipy_golden():
    g = json.loads((GOLDEN / "golden.json").read_text())
    rng = np.random.default_rng(1)
    cases = [c for c in g["scipy_mvn_entropy"] if len(c["cov"]) % 2 == 1]  # kernels are odd
    assert len(cases) >= 2
    for case in cases:
        cov = np.array(case["cov"])
        d = cov.shape[0]
        # a batch whose sample covariance of the one d-entry window is exactly cov
        n = 4 * d + 8
        z = rng.normal(size=(n, d))
        z -= z.mean(0)
        z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, ddof=1) if d > 1 else np.atleast_2d(np.var(z, ddof=1)))).T
        x = z @ np.linalg.cholesky(cov).T
        b = x.reshape(n, 1, 1, d)
        h, singular = sednas.gaussian_local_entropy(b, kernel=(1, 1, d), border="valid")
        assert not singular.any()
        assert abs(h.ravel()[0] - case["bits"]) < 1e-8 * max(1.0, abs(case["bits"]))


def test_gaussian_equals_cli(tmp_path):
    rng = np.random.default_rng(3)
    b = rng.normal(size=(32, 9, 8, 2))
    b[:, 0, 0, 0] = 1.0  # a constant entry: singular windows around it
    f = tmp_path / "b.npy"
    np.save(f, b)
    out = tmp_path / "h.npy"
    run_cli("entropy", str(f), "--estimator", "gaussian", "--kernel", "3x3x1", "--out", str(out))
    h, singular = sednas.gaussian_local_entropy(b, kernel=(3, 3, 1))
    np.testing.assert_array_equal(h, np.load(out))
    assert singular.any() and (singular == np.isneginf(h)).all()


# ---------------------------------------------------------------- score


def nb201_archs():
    with open(data_dir() / "nb201_arch_cost.csv") as f:
        return [r["arch_str"] for r in csv.DictReader(f)]


@pytest.mark.parametrize("proxy", ["sed", "led-flow", "ledp", "params"])
def test_score_nb201_equals_cli(proxy):
    archs = nb201_archs()
    out = run_cli("score", "--space", "nb201", "--proxy", proxy, stdin="\n".join(archs) + "\n")
    rows = list(csv.reader(io.StringIO(out)))[1:]
    want = np.array([float(r[2]) for r in rows])
    got = sednas.score(archs, space="nb201", proxy=proxy)
    assert got.shape == (15625,)
    np.testing.assert_array_equal(got, want)


def test_score_switches_equal_cli():
    archs = nb201_archs()[:500]
    out = run_cli("score", "--space", "nb201", "--comparison", "gt", "--block", "node", stdin="\n".join(archs) + "\n")
    want = np.array([float(r[2]) for r in list(csv.reader(io.StringIO(out)))[1:]])
    np.testing.assert_array_equal(sednas.score(archs, comparison="gt", block="node"), want)


def test_score_nb101_pairs_and_darts():
    d = data_dir()
    with open(d / "nb101_nasbenchvis_10k.csv") as f:
        rows = list(csv.DictReader(f))[:200]
    pairs = [(r["adjacency_rowmajor"], r["ops"].split(",")) for r in rows]
    p = sednas.score(pairs, space="nb101", proxy="params")
    np.testing.assert_array_equal(p, [float(r["trainable_parameters"]) for r in rows])
    # the same matrices as numpy arrays
    arrays = [(np.array([int(c) for c in m]).reshape(int(len(m) ** 0.5), -1), ops) for m, ops in pairs]
    np.testing.assert_array_equal(sednas.score(arrays, space="nb101", proxy="params"), p)
    with open(d / "nb301_zc_proxies_naslib_sample.csv") as f:
        rows = list(csv.DictReader(f))
    g = [r["normal_cell"] + "|" + r["reduce_cell"] for r in rows]
    p = sednas.score(g, space="darts", proxy="params")
    np.testing.assert_allclose(p / 1e6, [float(r["params"]) for r in rows], atol=5e-7)
    assert np.isfinite(sednas.score(g, space="darts", proxy="ledp")).all()


# ---------------------------------------------------------------- evaluate, verify


def test_evaluate_equals_cli_json():
    d = data_dir()
    truth = d / "nb201_test_acc_200ep.csv"
    out = run_cli("eval", "--space", "nb201", "--truth", str(truth), "--acc-col", "cifar10_test", "--no-readings", "--no-led-flow", "--json")
    want = json.loads(out.splitlines()[0])
    with open(truth) as f:
        rows = list(csv.DictReader(f))
    acc = np.array([float(r["cifar10_test"]) for r in rows])
    s = sednas.score([r["arch_str"] for r in rows])
    got = sednas.evaluate(s, acc, name="sed")
    for k in ["n", "spearman", "kendall_tau_b", "top10_precision", "top100_precision", "distinct_values", "selection"]:
        assert got[k] == want[k], k


def test_verify_equals_cli():
    want = [json.loads(l) for l in run_cli("verify", "--json").splitlines()]
    got = sednas.verify()
    assert [r["id"] for r in got] == ["P1", "P2", "P3", "P4", "P5"]
    assert [r["verdict"] for r in got] == [r["verdict"] for r in want]


# ---------------------------------------------------------------- bad input raises, never crashes

# Edge cases: each must raise the named exception with a message, never crash the interpreter.
BAD_LOCAL = [
    (np.zeros((4, 4), np.int64), {}, TypeError),                 # unsupported dtype
    (np.zeros((4, 4), np.complex128), {}, TypeError),
    ([[1, 2], [3, 4]], {}, TypeError),                            # not an array
    (np.zeros(5, np.uint8), {}, ValueError),                      # rank 1
    (np.zeros((2, 2, 2, 2), np.uint8), {}, ValueError),           # rank 4 for H1
    (np.array([[0.0, np.nan], [1.0, 2.0]]), {}, ValueError),      # NaN
    (np.array([[0.0, np.inf], [1.0, 2.0]]), {}, ValueError),      # inf
    (np.zeros((0, 4), np.uint8), {}, ValueError),                 # empty
    (np.zeros((4, 4), np.uint8), {"kernel": (2, 2)}, ValueError),  # even kernel
    (np.zeros((4, 4), np.uint8), {"kernel": (3,)}, ValueError),    # too few sizes
    (np.zeros((4, 4), np.uint8), {"stride": (0, 1)}, ValueError),  # zero stride
    (np.zeros((4, 4), np.uint8), {"kernel": (5, 5), "border": "valid"}, ValueError),
    (np.zeros((4, 4), np.uint8), {"border": "wrap"}, ValueError),
    (np.zeros((4, 4), np.uint8), {"estimator": "binned:0"}, ValueError),
    (np.zeros((4, 4), np.uint8), {"estimator": "kde"}, ValueError),
    (np.zeros((4, 4), np.uint8), {"kernel": (2**63 + 1, 3)}, (ValueError, OverflowError)),
    (np.zeros((4, 4), np.uint8), {"kernel": (-3, 3)}, (ValueError, OverflowError, TypeError)),
]


@pytest.mark.parametrize("x,kw,exc", BAD_LOCAL)
def test_local_entropy_bad_input_raises(x, kw, exc):
    with pytest.raises(exc):
        sednas.local_entropy(x, **kw)


def test_gaussian_bad_input_raises():
    with pytest.raises(ValueError):
        sednas.gaussian_local_entropy(np.zeros((4, 4, 4), np.float64))  # rank 3
    with pytest.raises(TypeError):
        sednas.gaussian_local_entropy(np.zeros((4, 4, 4, 1), np.int32))
    with pytest.raises(ValueError):
        sednas.gaussian_local_entropy(np.zeros((4, 4, 4, 1)), ridge=-1.0)
    with pytest.raises(ValueError):
        sednas.gaussian_local_entropy(np.full((4, 4, 4, 1), np.nan))


def test_score_bad_input_raises():
    good = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    with pytest.raises(ValueError, match="architecture 1"):
        sednas.score([good, "|nor_conv_3x3~0|+|bogus~0|"])
    with pytest.raises(TypeError, match="architecture 0"):
        sednas.score([3.5])
    with pytest.raises(ValueError):
        sednas.score([good], space="nb999")
    with pytest.raises(ValueError):
        sednas.score([good], proxy="magic")
    with pytest.raises(ValueError, match="not_a_switch"):
        sednas.score([good], not_a_switch=1)
    with pytest.raises(ValueError):
        sednas.score([good], missing_constant=float("nan"))
    with pytest.raises(ValueError):
        sednas.score(["64:64:64:64:64"], space="nats-sss", proxy="ledp")
    with pytest.raises(ValueError):
        sednas.score([("0" * 49, ["input"] * 7)], space="nb101")
    assert sednas.score([]).shape == (0,)
    with pytest.raises(TypeError, match="single string"):
        sednas.score(good)
    with pytest.raises(ValueError, match="square 0/1"):
        sednas.score([(np.ones((2, 3)), ["input", "output"])], space="nb101")


def test_evaluate_bad_input_raises():
    with pytest.raises(ValueError):
        sednas.evaluate(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError):
        sednas.evaluate(np.zeros(3), np.array([1.0, np.inf, 2.0]))
    r = sednas.evaluate(np.array([1.0, np.nan, 3.0]), np.array([1.0, 2.0, np.nan]))
    assert r["n"] == 1 and r["n_missing"] == 2
