"""pytest for the sednas Python package: each function against the CLI on the same input,
against scikit-image / committed golden values, and bad input that must raise (never crash).

The CLI binary is $SEDNAS_BIN, else target/release/sednas, else target/debug/sednas; the
benchmark data is $SEDNAS_DATA, else ../shared/data. When either is missing a test is
skipped with the reason, except under CI=true, where it fails.
"""

import csv
import io
import itertools
import json
import os
import subprocess
import sys
import textwrap
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
    (np.zeros((4, 4), np.uint8), {"kernel": (2**63 + 1, 3)}, MemoryError),  # KernelTooLarge
    (np.zeros((4, 4), np.uint8), {"kernel": (-3, 3)}, ValueError),
    (np.array(5, np.uint8), {}, ValueError),                      # 0-d
    (np.zeros((4, 0), np.float64), {}, ValueError),               # a zero-length axis
    (np.zeros((4, 4, 0), np.float32), {}, ValueError),
    (np.zeros((4, 4), object), {}, TypeError),                    # object dtype
    (np.zeros((4, 4), ">f8"), {}, TypeError),                     # not native byte order
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


GOOD = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def raises_one_line(exc, call, *parts):
    """call() raises exactly `exc` (not a subclass standing in for it, not a PanicException),
    with a one-line message that holds every part."""
    with pytest.raises(BaseException) as info:
        call()
    assert type(info.value) is exc, f"{type(info.value).__name__}: {info.value}"
    msg = str(info.value)
    assert "\n" not in msg and "\r" not in msg, msg
    for p in parts:
        assert p in msg, (p, msg)
    return msg


# ---------------------------------------------------------------- evaluate: argument types


@pytest.mark.parametrize("bad", [None, 3.5, 7, np.float64(2.0), np.array(1.0), "0.5", b"1", {1.0, 2.0}, {"a": 1.0}, (v for v in [1.0, 2.0])])
@pytest.mark.parametrize("which", ["proxy_values", "accuracies"])
def test_evaluate_refuses_none_scalars_and_non_sequences(bad, which):
    # None used to give n = 0 and a scalar a one-element list
    args = {"proxy_values": [1.0, 2.0], "accuracies": [1.0, 2.0]}
    args[which] = bad
    raises_one_line(TypeError, lambda: sednas.evaluate(args["proxy_values"], args["accuracies"]), which)


@pytest.mark.parametrize("which", ["proxy_values", "accuracies"])
def test_evaluate_refuses_complex(which):
    # complex values used to lose their imaginary part with only a ComplexWarning
    args = {"proxy_values": [1.0, 2.0], "accuracies": [1.0, 2.0]}
    args[which] = np.array([1.0 + 2.0j, 2.0])
    raises_one_line(TypeError, lambda: sednas.evaluate(**args), which, "complex")
    args[which] = [1.0, 2.0 + 0.5j]
    raises_one_line(TypeError, lambda: sednas.evaluate(**args), which, "complex")


def test_evaluate_names_the_position_of_a_bad_element():
    raises_one_line(TypeError, lambda: sednas.evaluate([1.0, None, 3.0], [1.0, 2.0, 3.0]), "proxy_values[1]")
    raises_one_line(TypeError, lambda: sednas.evaluate([1.0, 2.0], ["1", "2"]), "accuracies[0]")
    raises_one_line(ValueError, lambda: sednas.evaluate([[1.0, 2.0]], [1.0]), "proxy_values", "1-D")
    raises_one_line(ValueError, lambda: sednas.evaluate([1.0, 2.0], [1.0, np.inf]), "accuracies", "position 1")
    # numbers of any real kind are read: ints, bools, numpy scalars in a list
    r = sednas.evaluate([1, True, np.float32(3.0)], np.array([1, 2, 3], np.int32))
    assert r["n"] == 3


def test_evaluate_lengths_that_differ_name_both_lengths():
    raises_one_line(ValueError, lambda: sednas.evaluate(np.zeros(3), np.zeros(4)), "proxy_values has length 3", "accuracies has length 4")


# ---------------------------------------------------------------- evaluate: ±inf is a value


def test_evaluate_infinite_proxy_value_is_returned():
    # ±inf used to come back as selection.score = None (JSON has no inf)
    r = sednas.evaluate([np.inf, 1.0, 2.0], [70.0, 80.0, 90.0])
    assert r["n"] == 3 and r["n_missing"] == 0
    assert r["selection"]["score"] == float("inf") and r["selection"]["best_rank"] == 3
    r = sednas.evaluate([-np.inf, -np.inf], [70.0, 80.0])
    assert r["selection"]["score"] == float("-inf") and r["selection"]["tied"] == 2
    # NaN drops the pair; an undefined statistic stays None
    r = sednas.evaluate([np.nan, np.inf], [70.0, 80.0])
    assert (r["n"], r["n_missing"], r["selection"]["score"]) == (1, 1, float("inf"))
    r = sednas.evaluate([np.nan], [70.0])
    assert r["n"] == 0 and r["selection"] is None and r["top10_precision"] is None


# ---------------------------------------------------------------- work refused as too large: MemoryError


def test_library_too_large_is_memory_error():
    z = np.zeros((4, 4), np.uint8)
    # Error::KernelTooLarge
    raises_one_line(MemoryError, lambda: sednas.local_entropy(z, kernel=(4097, 4097)), "kernel", "16777216", "refused before allocating")
    raises_one_line(MemoryError, lambda: sednas.local_entropy(z, kernel=(2**70, 3)), "kernel[0]", "16777216")
    # Error::TooLarge: bins, an H2 batch whose output and workspace pass local_entropy's
    # 4 GiB estimate, a census size
    raises_one_line(MemoryError, lambda: sednas.local_entropy(z, estimator="binned:99999999"), "estimator", "16777216", "refused before allocating")
    raises_one_line(
        MemoryError,
        lambda: sednas.gaussian_local_entropy(np.zeros((2, 128, 1, 1)), kernel=(1, 16777215, 1), border="zero"),
        "bytes of output map and workspace",
        "4294967296",
        "refused before allocating",
    )
    raises_one_line(MemoryError, lambda: sednas.score([GOOD], nb201_channels=10**6), "switch nb201_channels", "16384")
    raises_one_line(MemoryError, lambda: sednas.score([GOOD], nb201_channels=2**40), "1099511627776", "16384")
    # other library refusals stay ValueError
    raises_one_line(ValueError, lambda: sednas.local_entropy(z, kernel=(2, 3)), "kernel", "odd")
    raises_one_line(ValueError, lambda: sednas.score([GOOD], nb201_channels=0), "switch nb201_channels")


def test_local_entropy_30000_squared_broadcast_is_memory_error():
    """Needs the library's TooLarge check in entropy::local_entropy (h2-fixes): until then the
    call aborts the interpreter ("memory allocation of 7200000000 bytes failed"), so it runs
    in a child process, under a 6 GiB address-space limit where the platform has one (the
    library must refuse before allocating)."""
    code = textwrap.dedent(
        """
        import json, sys
        try:
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
        except (ImportError, ValueError, OSError):
            pass
        import numpy as np, sednas
        x = np.broadcast_to(np.uint8(1), (30000, 30000))
        try:
            sednas.local_entropy(x, kernel=(1, 1))
            print(json.dumps(["no error", ""]))
        except BaseException as e:
            print(json.dumps([type(e).__name__, str(e)]))
        """
    )
    env = {**os.environ, "RUST_BACKTRACE": "0"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, f"the child died (status {r.returncode}): {r.stderr.strip()[:300]}"
    kind, msg = json.loads(r.stdout.strip().splitlines()[-1])
    assert kind == "MemoryError", (kind, msg)
    assert "refused before allocating" in msg and "\n" not in msg, msg


# ---------------------------------------------------------------- messages that say what is wrong


@pytest.mark.parametrize(
    "call,parts",
    [
        (lambda: sednas.score(["\ud800"]), ["architecture 0", "position 0"]),
        (lambda: sednas.score([GOOD, "ab\udc00"]), ["architecture 1", "U+DC00", "position 2"]),
        (lambda: sednas.score([GOOD], space="nb\ud800"), ["space", "position 2"]),
        (lambda: sednas.score([GOOD], proxy="\ud800"), ["proxy", "position 0"]),
        (lambda: sednas.score([GOOD], block="no\udfffde"), ["switch block", "position 2"]),
        (lambda: sednas.score([GOOD], **{"x\ud800": 1}), ["switch name", "position 1"]),
        (lambda: sednas.score([("0" * 48 + "\ud800", ["input"] * 7)], space="nb101"), ["architecture 0 matrix", "position 48"]),
        (lambda: sednas.score([("0" * 49, ["input", "\ud800"])], space="nb101"), ["architecture 0 op 1", "position 0"]),
        (lambda: sednas.local_entropy(np.zeros((4, 4)), border="\ud800"), ["border", "position 0"]),
        (lambda: sednas.local_entropy(np.zeros((4, 4)), estimator="binned:\ud800"), ["estimator", "position 7"]),
        (lambda: sednas.gaussian_local_entropy(np.zeros((4, 4, 4, 1)), border="zer\ud800"), ["border", "position 3"]),
        (lambda: sednas.evaluate([1.0], [1.0], name="\ud800"), ["name", "position 0"]),
    ],
)
def test_lone_surrogate_is_named_with_its_position(call, parts):
    # used to read "expected a string, got <class 'str'>" or a bare UnicodeEncodeError
    raises_one_line(ValueError, call, "not valid UTF-8", "lone surrogate", *parts)


@pytest.mark.parametrize(
    "switch,value,shown",
    [
        ("comparison", float("nan"), "NaN"),
        ("missing_constant", float("nan"), "NaN"),
        ("missing_constant", float("inf"), "inf"),
        ("missing_constant", np.float32("-inf"), "inf"),
        ("nb201_channels", float("nan"), "NaN"),
        ("resolution", [float("nan")], "NaN"),
    ],
)
def test_non_finite_switch_is_named(switch, value, shown):
    # used to read "expected value at line 1 column 1" without the switch's name
    raises_one_line(ValueError, lambda: sednas.score([GOOD], **{switch: value}), f"switch {switch}", shown, "not allowed")


def test_switch_errors_name_the_switch_on_one_line():
    raises_one_line(ValueError, lambda: sednas.score([GOOD], nb201_channels=1.5), "switch nb201_channels", "u32")
    raises_one_line(ValueError, lambda: sednas.score([GOOD], use_skip=2), "switch use_skip")
    raises_one_line(ValueError, lambda: sednas.score([GOOD], **{"a\nb": 1}), "switch a\\nb", "unknown field")
    raises_one_line(TypeError, lambda: sednas.score([GOOD], comparison={1, 2}), "switch comparison", "set")
    # numpy scalars are read as the number they hold
    np.testing.assert_array_equal(sednas.score([GOOD], nb201_channels=np.int64(16)), sednas.score([GOOD]))


# ---------------------------------------------------------------- hostile input: an exception, never an abort or a panic


@pytest.mark.parametrize(
    "kw,exc,parts",
    [
        ({"kernel": (2**63, 3)}, ValueError, ["kernel", "odd"]),
        ({"kernel": (2**64 + 1, 3)}, MemoryError, ["kernel[0]", "2^64 - 1"]),
        ({"kernel": (3, -3)}, ValueError, ["kernel[1]", "negative"]),
        ({"kernel": (-(2**80), 3)}, ValueError, ["kernel[0]", "negative"]),
        ({"stride": (-1, 1)}, ValueError, ["stride[0]", "negative"]),
        ({"stride": (1, 2**70)}, ValueError, ["stride[1]", "2^64 - 1"]),
        ({"kernel": True}, TypeError, ["kernel", "bool"]),
        ({"kernel": (True, True)}, TypeError, ["kernel[0]", "bool"]),
        ({"kernel": (np.True_, 3)}, TypeError, ["kernel[0]", "bool"]),
        ({"kernel": (3.0, 3)}, TypeError, ["kernel[0]", "float"]),
        ({"kernel": "3x3"}, TypeError, ["kernel", "str"]),
        ({"kernel": 3}, TypeError, ["kernel", "int"]),
        ({"kernel": itertools.count(1, 2)}, ValueError, ["kernel", "more than 3"]),
        ({"stride": (1,)}, ValueError, ["stride", "got 1"]),
    ],
)
def test_hostile_sizes_raise(kw, exc, parts):
    raises_one_line(exc, lambda: sednas.local_entropy(np.zeros((4, 4), np.uint8), **kw), *parts)
    if "kernel" in kw and kw["kernel"] is not True:
        raises_one_line(exc, lambda: sednas.gaussian_local_entropy(np.zeros((4, 4, 4, 1)), **kw), *parts)


def test_sizes_read_numpy_integers_and_huge_strides():
    z = np.arange(16, dtype=np.uint8).reshape(4, 4)
    np.testing.assert_array_equal(sednas.local_entropy(z, kernel=np.array([3, 3])), sednas.local_entropy(z))
    assert sednas.local_entropy(z, stride=(2**64 - 1, 1)).shape == (1, 4)
    assert sednas.local_entropy(z, kernel=(16777215, 1), border="reflect").shape == (4, 4)


def test_arrays_past_32_axes_raise_value_error():
    # rust-numpy used to panic (PanicException) on more than 32 axes
    x = np.zeros((1,) * 33, np.uint8)
    raises_one_line(ValueError, lambda: sednas.local_entropy(x), "x", "33 axes")
    raises_one_line(ValueError, lambda: sednas.gaussian_local_entropy(x), "batch", "33 axes")


def test_strides_that_are_not_whole_elements_are_read_right():
    # a float64 view with a 9-byte step: rust-numpy divides strides by the item size, so
    # reading it in place used to read other elements, silently
    raw = bytearray(np.random.default_rng(0).integers(0, 256, 800, dtype=np.uint8).tobytes())
    odd = np.ndarray(shape=(4, 4), dtype=np.float64, buffer=raw, strides=(36, 9))
    unaligned = np.ndarray(shape=(4, 4), dtype=np.float64, buffer=raw, offset=1, strides=(64, 8))
    for x in (odd, unaligned):
        assert np.isfinite(x).all()
        want = sednas.local_entropy(np.ascontiguousarray(x), estimator="binned:4")
        np.testing.assert_array_equal(sednas.local_entropy(x, estimator="binned:4"), want)
    # negative strides are read in place
    y = np.arange(30.0).reshape(5, 6)[::-1, ::-2]
    np.testing.assert_array_equal(sednas.local_entropy(y, estimator="binned:3"), sednas.local_entropy(np.ascontiguousarray(y), estimator="binned:3"))
    b = np.random.default_rng(1).normal(size=(8, 4, 5, 1))[::-1, :, ::-2]
    np.testing.assert_array_equal(sednas.gaussian_local_entropy(b)[0], sednas.gaussian_local_entropy(np.ascontiguousarray(b))[0])


def test_hostile_arrays_and_arguments_raise():
    raises_one_line(ValueError, lambda: sednas.gaussian_local_entropy(np.array(1.0)), "rank 0")
    raises_one_line(ValueError, lambda: sednas.gaussian_local_entropy(np.zeros((0, 4, 4, 1))), "empty")
    raises_one_line(ValueError, lambda: sednas.gaussian_local_entropy(np.zeros((4, 4, 4, 0))), "empty")
    raises_one_line(TypeError, lambda: sednas.gaussian_local_entropy(np.zeros((4, 4, 4, 1), object)), "batch", "object")
    raises_one_line(TypeError, lambda: sednas.local_entropy([[1, 2], [3, 4]]), "x", "list")
    raises_one_line(ValueError, lambda: sednas.gaussian_local_entropy(np.zeros((4, 4, 4, 1)), ridge=float("nan")), "ridge")
    raises_one_line(ValueError, lambda: sednas.verify(seed=-1), "seed", "2^64 - 1")
    raises_one_line(ValueError, lambda: sednas.verify(seed=2**64), "seed", "2^64 - 1")
    raises_one_line(TypeError, lambda: sednas.verify(thorough="yes"), "thorough", "str")
    raises_one_line(TypeError, lambda: sednas.score(5), "archs", "int")
    raises_one_line(TypeError, lambda: sednas.score([("0" * 49, 5)], space="nb101"), "architecture 0 ops", "int")
    raises_one_line(ValueError, lambda: sednas.score([GOOD], proxy="led-flow", led_skip_gain=float("nan")), "led_skip_gain")


# ---------------------------------------------------------------- sednas.torch without torch


def test_import_sednas_never_imports_torch():
    # `import sednas` must not import PyTorch (seconds and GBs); `import sednas.torch` imports
    # it only when a function is called, so it works (and says what is missing) without it
    code = textwrap.dedent(
        """
        import sys
        import sednas
        assert "torch" not in sys.modules, "import sednas imported torch"
        sys.modules["torch"] = None  # as if PyTorch were not installed
        import sednas.torch
        assert sednas.torch.SUMMARIES[0] == "h1_last_minus_stem"
        try:
            sednas.torch.entropy_profile(None, None)
        except ImportError as e:
            assert "sednas.torch needs PyTorch" in str(e), e
        else:
            raise AssertionError("no ImportError without torch")
        print("ok")
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_profile_binding_equals_the_rust_measure_map_example():
    # the doc example of `entropy::profile::measure_map`: ten identical 3×3 maps of 0..8
    a = np.broadcast_to(np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1), (10, 3, 3, 1))
    f = sednas._sednas._profile_map(a, (3, 3), "binned:9", True)
    assert (f["h1x"], f["distinct"], f["zero"], f["singular"], f["h1b"]) == (np.log2(9), 1.0, 0.0, 1.0, np.log2(9))
    assert np.isnan(f["h2"])
    z = sednas._sednas._profile_map(np.zeros((10, 3, 3, 1), np.float32), (3, 3), "binned:9", True)
    assert (z["h1x"], z["distinct"], z["zero"]) == (0.0, 0.0, 1.0)
    raises_one_line(ValueError, lambda: sednas._sednas._profile_map(np.zeros((3, 3, 1)), (3, 3)), "batch", "4-D")
    raises_one_line(ValueError, lambda: sednas._sednas._profile_map(np.zeros((0, 3, 3, 1)), (3, 3)), "batch")
    raises_one_line(ValueError, lambda: sednas._sednas._profile_map(np.zeros((2, 3, 3, 1)), (3, 3), "gaussian"), "estimator")
    raises_one_line(TypeError, lambda: sednas._sednas._profile_map(np.zeros((2, 3, 3, 1), np.int64), (3, 3)), "batch", "int64")
