"""pytest for sednas.torch: entropy_profile on a torchvision ResNet-18 at initialisation, its
per-map figures against sednas.local_entropy / sednas.gaussian_local_entropy called directly
on the same captured maps (bit-identical), its summaries against the Rust library's, and
every bad input (which must raise and leave no hook behind).

Skipped when PyTorch (or, for the ResNet tests, torchvision) is not installed; CI installs
both (pip install torch torchvision).
"""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch torchvision)")

import sednas  # noqa: E402
import sednas.torch as st  # noqa: E402


def no_hooks(model):
    """True when no module of ``model`` holds a forward or forward-pre hook."""
    return all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def seq_sum(values):
    """Sum in order from 0.0, one addition at a time, as the Rust loop adds (numpy's sum is
    pairwise and Python's sum is compensated: both can differ in the last bit; cumsum is
    sequential)."""
    v = np.ravel(np.asarray(values, dtype=np.float64))
    return float(np.cumsum(v)[-1]) if v.size else 0.0


def same(a, b):
    """Equal as floats, NaN equal to NaN."""
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.fixture(scope="module")
def resnet():
    tv = pytest.importorskip("torchvision", reason="torchvision is not installed (pip install torchvision)")
    torch.manual_seed(0)
    net = tv.models.resnet18(weights=None).eval()
    # 96×96: ResNet-18 halves the map five times, so layer4's convolutions see 3×3 maps (at
    # 32×32 they would see 1×1 maps, smaller than a 3×3 valid window)
    x = torch.randn(20, 3, 96, 96)
    return net, x


def conv_names(net):
    return [n for n, m in net.named_modules() if isinstance(m, torch.nn.Conv2d)]


# ---------------------------------------------------------------- ResNet-18


def test_resnet18_every_conv_input_is_measured(resnet):
    net, x = resnet
    before = {k: v.clone() for k, v in net.state_dict().items()}
    rows, summaries = st.entropy_profile(net, x)
    names = conv_names(net)
    assert len(names) == 20
    assert [r["layer"] for r in rows] == names  # forward order is definition order here
    assert all(r["captured"] == "input" for r in rows)
    assert rows[0]["shape"] == (20, 3, 96, 96)
    for r in rows:
        for f in ("h1x", "distinct", "h1b", "zero", "singular"):
            assert math.isfinite(r[f]), (r["layer"], f, r[f])
        assert 0 <= r["distinct"] <= 1 and 0 <= r["zero"] <= 1 and 0 <= r["singular"] <= 1
        # H2 is defined wherever some window is non-singular
        assert math.isfinite(r["h2"]) == (r["singular"] < 1), r
    assert list(summaries) == list(st.SUMMARIES)
    assert all(math.isfinite(v) for v in summaries.values()), summaries
    assert no_hooks(net)
    after = net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_resnet18_same_result_twice(resnet):
    net, x = resnet
    a = st.entropy_profile(net, x)
    b = st.entropy_profile(net, x)
    assert len(a.rows) == len(b.rows)
    for ra, rb in zip(a.rows, b.rows):
        assert ra.keys() == rb.keys()
        assert all(same(ra[k], rb[k]) if isinstance(ra[k], float) else ra[k] == rb[k] for k in ra)
    assert all(same(a.summaries[k], b.summaries[k]) for k in st.SUMMARIES)


def direct_figures(a, kernel=(3, 3), estimator="binned:16"):
    """The figures of one N×H×W×C map from the public entropy functions, added up in the
    library's order (images in batch order, windows row-major)."""
    k3 = tuple(kernel) + (1,) * (3 - len(kernel))
    d = k3[0] * k3[1] * k3[2]
    hx = [sednas.local_entropy(img, kernel=k3, border="valid", estimator="exact") for img in a]
    hb = [sednas.local_entropy(img, kernel=k3, border="valid", estimator=estimator) for img in a]
    hx = np.concatenate([h.ravel() for h in hx])
    hb = np.concatenate([h.ravel() for h in hb])
    c = float(len(hx))
    full = math.log2(d)
    g, mask = sednas.gaussian_local_entropy(a, kernel=k3, border="valid")
    g = g.ravel()
    fin = g[np.isfinite(g)]
    n2, ns = len(fin), int((~np.isfinite(g)).sum())
    assert ns == int(mask.sum())
    return {
        "h1x": seq_sum(hx) / c,
        "distinct": int((np.abs(hx - full) < 1e-12).sum()) / c,
        "h1b": seq_sum(hb) / c,
        "zero": int((hx == 0.0).sum()) / c,
        "h2": seq_sum(fin) / n2 if n2 else math.nan,
        "singular": ns / max(n2 + ns, 1),
    }


def test_resnet18_figures_equal_the_entropy_functions_bit_for_bit(resnet):
    net, x = resnet
    maps = st.capture_maps(net, x)
    rows, _ = st.entropy_profile(net, x)
    assert [m[0] for m in maps] == [r["layer"] for r in rows]
    assert no_hooks(net)
    for (layer, captured, a), r in zip(maps, rows):
        assert a.flags.c_contiguous and a.dtype == np.float32
        assert a.shape == (r["shape"][0], r["shape"][2], r["shape"][3], r["shape"][1])
        want = direct_figures(a)
        for f in st.FIGURES:
            assert same(r[f], want[f]), (layer, f, r[f], want[f])
        # and the binding on the captured array gives the row
        got = sednas._sednas._profile_map(a, (3, 3), "binned:16", True)
        assert all(same(got[f], r[f]) for f in st.FIGURES)


def test_resnet18_numpy_and_pandas_rows(resnet):
    net, x = resnet
    rows, s = st.entropy_profile(net, x, as_="numpy")
    lst, s2 = st.entropy_profile(net, x)
    assert rows.dtype.names == ("layer", "captured", "shape", *st.FIGURES)
    assert list(rows["layer"]) == [r["layer"] for r in lst]
    assert tuple(rows["shape"][0]) == (20, 3, 96, 96)
    np.testing.assert_array_equal(rows["h1b"], [r["h1b"] for r in lst])
    pd = pytest.importorskip("pandas")
    df, _ = st.entropy_profile(net, x, as_="pandas")
    assert isinstance(df, pd.DataFrame) and list(df["layer"]) == list(rows["layer"])


# ---------------------------------------------------------------- summaries


def test_summaries_binding_equals_the_rust_doc_example():
    # the example of `entropy::profile::summaries` (a Rust doctest): same numbers
    s = sednas._sednas._summaries([2.0, 1.5, 1.75], [0.25, 0.25, 0.5], [5.0, 4.0, 3.0])
    assert s == [-0.25, -0.5, 1.5, -2.0, -0.5, -1.0 / 3.0]
    assert all(math.isnan(v) for v in sednas._sednas._summaries([], [], []))
    with pytest.raises(ValueError, match="equal lengths"):
        sednas._sednas._summaries([1.0], [], [])


class Emit(torch.nn.Module):
    """Emits fixed maps, each through its own Identity module (named m0, m1, ...)."""

    def __init__(self, maps):
        super().__init__()
        self.maps = [torch.from_numpy(m) for m in maps]
        for i in range(len(maps)):
            self.add_module(f"m{i}", torch.nn.Identity())

    def forward(self, x):
        return [getattr(self, f"m{i}")(m) for i, m in enumerate(self.maps)]


def fixed_maps():
    r = np.random.default_rng(2024)
    a = r.standard_normal((12, 3, 10, 10)).astype(np.float32)
    return [a, np.maximum(a, 0), np.round(a * 1.5).astype(np.float32), np.maximum(a - 0.5, 0), np.zeros_like(a)]


def test_summaries_of_fixed_maps_equal_the_rust_summaries():
    maps = fixed_maps()
    net = Emit(maps).eval()
    names = [f"m{i}" for i in range(len(maps))]
    rows, summaries = st.entropy_profile(net, torch.zeros(12, 1), modules=names)
    assert [r["layer"] for r in rows] == names and no_hooks(net)
    # the rows are the Rust per-map figures of each map (N×C×H×W → N×H×W×C)
    figs = [sednas._sednas._profile_map(np.ascontiguousarray(m.transpose(0, 2, 3, 1)), (3, 3), "binned:16", True) for m in maps]
    for r, f in zip(rows, figs):
        assert all(same(r[k], f[k]) for k in st.FIGURES)
    # the summaries are the Rust `summaries` of those figures ...
    rust = sednas._sednas._summaries([f["h1b"] for f in figs], [f["zero"] for f in figs], [f["h2"] for f in figs])
    assert all(same(summaries[k], v) for k, v in zip(st.SUMMARIES, rust))
    # ... and follow the documented formula
    b = [f["h1b"] for f in figs]
    z = [f["zero"] for f in figs]
    g = [f["h2"] for f in figs]
    formula = [
        b[-1] - b[0],
        -max([0.0] + [b[k] - b[k + 1] for k in range(len(b) - 1)]),
        min(b),
        g[-1] - g[0],
        -z[-1],
        -seq_sum(z) / len(z),
    ]
    assert all(same(summaries[k], v) for k, v in zip(st.SUMMARIES, formula)), (summaries, formula)
    assert rows[-1]["zero"] == 1.0 and math.isnan(rows[-1]["h2"]) and rows[-1]["singular"] == 1.0


def test_transform_and_output_capture_copy_the_map():
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(inplace=True)).eval()
    x = torch.randn(12, 3, 8, 8)
    # the conv output is captured before the in-place ReLU overwrites it
    (_, _, a), = st.capture_maps(net, x, modules=["0"])
    assert a.min() < 0
    (_, _, r), = st.capture_maps(net, x, modules=["0"], transform=torch.relu)
    np.testing.assert_array_equal(r, np.maximum(a, 0))
    rows, _ = st.entropy_profile(net, x, modules=["0"], transform=torch.relu)
    want = sednas._sednas._profile_map(r, (3, 3), "binned:16", True)
    assert all(same(rows[0][k], want[k]) for k in st.FIGURES)
    assert no_hooks(net)


def test_options_reach_the_library():
    torch.manual_seed(2)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 1)).eval()
    x = torch.randn(30, 3, 7, 7, dtype=torch.float64)
    net = net.double()
    (_, _, a), = st.capture_maps(net, x)
    assert a.dtype == np.float64
    rows, _ = st.entropy_profile(net, x, kernel=(3, 3, 3), estimator="exact")
    want = sednas._sednas._profile_map(a, (3, 3, 3), "exact", True)
    assert all(same(rows[0][k], want[k]) for k in st.FIGURES)
    assert rows[0]["h1b"] == rows[0]["h1x"]
    rows, s = st.entropy_profile(net, x[:5], h2=False)
    assert math.isnan(rows[0]["h2"]) and math.isnan(rows[0]["singular"])
    assert math.isnan(s["h2_last_minus_stem"])


# ---------------------------------------------------------------- bad input


def test_unknown_module_lists_close_names(resnet):
    net, x = resnet
    with pytest.raises(ValueError, match=r"no module named 'layer1\.0\.conv3'.*close names: .*'layer1\.0\.conv1'"):
        st.entropy_profile(net, x, modules=["conv1", "layer1.0.conv3"])
    assert no_hooks(net)
    with pytest.raises(TypeError, match="not a single string"):
        st.entropy_profile(net, x, modules="conv1")
    with pytest.raises(ValueError, match="empty"):
        st.entropy_profile(net, x, modules=[])
    with pytest.raises(TypeError, match=r"modules\[0\]"):
        st.entropy_profile(net, x, modules=[3])
    with pytest.raises(ValueError, match="listed twice"):
        st.entropy_profile(net, x, modules=["layer1", "layer1"])
    assert no_hooks(net)


def test_training_mode_is_refused_unless_allowed(resnet):
    net, x = resnet
    net.train()
    try:
        before = {k: v.clone() for k, v in net.state_dict().items()}
        with pytest.raises(ValueError, match="training mode.*model.eval().*allow_train=True"):
            st.entropy_profile(net, x)
        assert no_hooks(net)
        rows, s = st.entropy_profile(net, x, modules=["layer1", "layer2"], allow_train=True)
        assert len(rows) == 2 and no_hooks(net)
        # BatchNorm's running statistics (and num_batches_tracked) are restored
        after = net.state_dict()
        assert all(torch.equal(before[k], after[k]) for k in before)
    finally:
        net.eval()
    # one submodule left in training mode is enough to refuse
    net.layer3[0].bn1.train()
    try:
        with pytest.raises(ValueError, match=r"training mode \(1 modules, e\.g\. layer3\.0\.bn1\)"):
            st.entropy_profile(net, x)
    finally:
        net.eval()
    assert no_hooks(net)


def test_batch_too_small_for_h2(resnet):
    net, x = resnet
    with pytest.raises(ValueError, match=r"H2 needs more images than window entries: inputs has 9 images.*d = 9.*h2=False"):
        st.entropy_profile(net, x[:9])
    with pytest.raises(ValueError, match=r"d = 25"):
        st.entropy_profile(net, x, kernel=(5, 5))
    rows, _ = st.entropy_profile(net, x[:9], h2=False)
    assert len(rows) == 20 and all(math.isnan(r["h2"]) for r in rows)
    assert no_hooks(net)


def test_non_4d_output_names_module_and_shape(resnet):
    net, x = resnet
    with pytest.raises(ValueError, match=r"output of module 'fc' has shape \(20, 1000\).*4-D"):
        st.entropy_profile(net, x, modules=["layer3", "fc"])
    assert no_hooks(net)


def test_measurement_error_removes_hooks(resnet):
    net, x = resnet
    # avgpool's output is 20×512×1×1: a 3×3 valid window does not fit, the library refuses,
    # and the message names the module and its shape
    with pytest.raises(ValueError, match=r"output of module 'avgpool' \(shape \(20, 512, 1, 1\)\): .*"):
        st.entropy_profile(net, x, modules=["layer3", "avgpool"])
    assert no_hooks(net)
    # NaN in the input: the first conv input's measurement raises, naming the index
    bad = x.clone()
    bad[0, 0, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="input of module 'conv1'.*non-finite value NaN"):
        st.entropy_profile(net, bad)
    assert no_hooks(net)


def test_forward_error_removes_hooks(resnet):
    net, x = resnet
    with pytest.raises(RuntimeError):
        st.entropy_profile(net, x[:, :1])  # 1 channel into a 3-channel conv1
    assert no_hooks(net)


def test_inputs_and_arguments_of_the_wrong_type(resnet):
    net, x = resnet
    with pytest.raises(TypeError, match=r"inputs: expected a torch.Tensor.*numpy.ndarray"):
        st.entropy_profile(net, x.numpy())
    with pytest.raises(TypeError, match="inputs: expected a torch.Tensor"):
        st.entropy_profile(net, [x])
    with pytest.raises(TypeError, match="model: expected a torch.nn.Module"):
        st.entropy_profile(lambda t: t, x)
    with pytest.raises(ValueError, match="as_"):
        st.entropy_profile(net, x, as_="frame")
    with pytest.raises(ValueError, match="estimator"):
        st.entropy_profile(net, x, estimator="kde")
    with pytest.raises(ValueError, match="kernel"):
        st.entropy_profile(net, x, kernel=(2, 2), h2=False)
    with pytest.raises(TypeError, match=r"kernel\[0\]"):
        st.entropy_profile(net, x, kernel=(3.0, 3))
    with pytest.raises(TypeError, match="h2"):
        st.entropy_profile(net, x, h2="yes")
    with pytest.raises(TypeError, match="transform"):
        st.entropy_profile(net, x, transform="relu")
    with pytest.raises(TypeError, match="output of module 'conv1'.*expected a tensor"):
        st.entropy_profile(net, x, modules=["conv1"], transform=lambda t: 3)
    assert no_hooks(net)


class WithSpare(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 1, 3)
        self.extra = torch.nn.Conv2d(1, 1, 3)  # registered, never called

    def forward(self, x):
        return self.conv(x)


def test_module_that_never_runs():
    net = WithSpare().eval()
    with pytest.raises(ValueError, match="'extra' did not run"):
        st.entropy_profile(net, torch.randn(12, 1, 8, 8), modules=["conv", "extra"])
    assert no_hooks(net)
    with pytest.raises(ValueError, match="no torch.nn.Conv2d"):
        st.entropy_profile(torch.nn.Identity().eval(), torch.randn(12, 1, 8, 8))
