"""Local-entropy profile of a PyTorch model's feature maps, in one call.

Import it as ``import sednas.torch`` (``import sednas`` never imports PyTorch; this module
imports it only when a function is called). :func:`entropy_profile` hooks the model,
runs one forward pass under ``torch.no_grad()``, measures every captured map with the
library's estimators — the per-map figures of ``sednas measure`` (``entropy::profile`` in
the Rust library, the same code) — and returns one row per map plus the six per-network
local-entropy-decrease summaries of ``sednas measure``.

Per map (an N×C×H×W tensor, read as the library's N×H×W×C layout; windows ``kernel``
(h, w) × 1 channel, border ``valid``, stride 1):

- ``h1x``: mean local H1 (bits) with the exact estimator (value frequencies);
- ``distinct``: the fraction of windows whose d = h·w values are all distinct (exact H1 =
  log2 d: on pre-activation float maps this is ≈ 1 and exact H1 is degenerate);
- ``h1b``: mean local H1 with ``estimator`` (``binned:16``: 16 equal-width bins over the
  range of each image's map, all channels of one image sharing the range);
- ``zero``: the fraction of windows whose exact H1 is 0 (all d entries equal);
- ``h2``: mean local Gaussian H2 across the batch over the non-singular windows (NaN if
  none, or with ``h2=False``), and ``singular``, the fraction of singular windows.

Summaries (higher = less local-entropy decrease), with b_k, z_k, g_k the ``h1b``, ``zero``
and ``h2`` of the k-th row in capture order (k = 0 plays the stem, K the last layer):
``h1_last_minus_stem`` b_K − b_0; ``h1_neg_max_drop`` −max(0, max_k (b_k − b_{k+1}));
``h1_min`` min_k b_k; ``h2_last_minus_stem`` g_K − g_0; ``neg_zero_last`` −z_K;
``neg_zero_mean`` −mean_k z_k. ``sednas measure`` computes them from its ``relu`` maps
(each cell output after the ReLU the next convolution applies): ``transform=torch.relu``
on the cell outputs gives those maps.
"""

import difflib
import importlib.util
from typing import NamedTuple

import numpy as np

from . import _sednas

__all__ = ["entropy_profile", "capture_maps", "EntropyProfile", "SUMMARIES", "FIGURES"]

#: Names of the six per-network summaries, in the order of ``sednas measure``'s columns.
SUMMARIES = tuple(_sednas._SUMMARIES)
#: Names of the per-map figures of a row.
FIGURES = ("h1x", "distinct", "h1b", "zero", "h2", "singular")


class EntropyProfile(NamedTuple):
    """What :func:`entropy_profile` returns; a named tuple, so ``rows, summaries = p``."""

    #: One row per captured map, in capture (forward) order: a list of dicts with ``layer``
    #: (module name; a module called again gives ``name#2``, ``name#3``, …), ``captured``
    #: (``"input"`` or ``"output"`` of that module), ``shape`` (N, C, H, W) and the
    #: figures of :data:`FIGURES`; or a numpy structured array / pandas DataFrame of the same.
    rows: object
    #: The six summaries, name → float (NaN where undefined), in :data:`SUMMARIES` order.
    summaries: dict


def _torch():
    try:
        import torch
    except ImportError as e:  # pragma: no cover - exercised only without PyTorch
        raise ImportError(f"sednas.torch needs PyTorch (pip install torch): {e}") from None
    return torch


def _type_name(v):
    t = type(v)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _kernel_sizes(kernel):
    """(kh, kw, kc) from a (kh, kw) or (kh, kw, kc) tuple of ints; the library checks the rest
    (odd, positive, at most 2^24 entries)."""
    if isinstance(kernel, (str, bytes)) or not hasattr(kernel, "__len__"):
        raise TypeError(f"kernel: expected 2 or 3 ints (h, w[, c]), got {_type_name(kernel)}")
    k = list(kernel)
    if len(k) not in (2, 3):
        raise ValueError(f"kernel must have 2 or 3 ints (h, w[, c]), got {len(k)} entries")
    for i, v in enumerate(k):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"kernel[{i}]: expected an int, got {_type_name(v)}")
    if len(k) == 2:
        k.append(1)
    return tuple(int(v) for v in k)


def _check_options(kernel, estimator):
    """The library's own checks of ``kernel`` and ``estimator``, before any forward pass: a
    dry run on one map of exactly one window (or on a 1×1 map when the kernel is past the
    library's limit, which it refuses before reading anything)."""
    kh, kw, kc = _kernel_sizes(kernel)
    if min(kh, kw, kc) < 1 or kh * kw * kc > 1 << 24:
        shape = (1, 1, 1, 1)
    else:
        shape = (1, kh, kw, kc)
    _sednas._profile_map(np.zeros(shape, np.uint8), kernel, estimator, False)
    return kh * kw * kc


def _to_nhwc(torch, t, where):
    """A captured N×C×H×W tensor as a C-contiguous N×H×W×C numpy copy (float16 / bfloat16
    widened to float32, exactly)."""
    if not torch.is_tensor(t):
        raise TypeError(f"{where}: expected a tensor, got {_type_name(t)}")
    if t.dim() != 4:
        raise ValueError(
            f"{where} has shape {tuple(t.shape)}: expected a 4-D N×C×H×W feature map "
            "(name modules whose output is 4-D with modules=[...])"
        )
    t = t.detach()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    elif t.dtype not in (torch.float32, torch.float64, torch.uint8):
        raise TypeError(f"{where} has dtype {t.dtype}: expected a float or uint8 tensor")
    # a copy: a later in-place op (ReLU(inplace=True), +=) must not change what was captured
    return np.array(t.permute(0, 2, 3, 1).cpu().numpy(), order="C", copy=True)


def _targets(torch, model, modules):
    """[(name, module, captured)] to hook: every Conv2d's input by default, else the outputs
    of the named modules."""
    named = dict(model.named_modules())
    if modules is None:
        t = [(n, m, "input") for n, m in named.items() if isinstance(m, torch.nn.Conv2d)]
        if not t:
            raise ValueError(
                f"{_type_name(model)} has no torch.nn.Conv2d whose input could be captured; "
                "name the modules to capture with modules=[...] (names from model.named_modules())"
            )
        return t
    if isinstance(modules, (str, bytes)):
        raise TypeError("modules: expected a list of module names, not a single string (wrap it in a list)")
    try:
        names = list(modules)
    except TypeError:
        raise TypeError(f"modules: expected a list of module names, got {_type_name(modules)}") from None
    if not names:
        raise ValueError("modules is empty: name at least one module (or pass None for every conv input)")
    out, seen = [], set()
    for i, n in enumerate(names):
        if not isinstance(n, str):
            raise TypeError(f"modules[{i}]: expected a module name (str), got {_type_name(n)}")
        if n not in named:
            close = difflib.get_close_matches(n, [k for k in named if k], n=5, cutoff=0.5)
            hint = f"; close names: {', '.join(repr(c) for c in close)}" if close else ""
            raise ValueError(
                f"modules[{i}]: {_type_name(model)} has no module named {n!r}{hint} "
                "(names are those of model.named_modules())"
            )
        if n in seen:
            raise ValueError(f"modules[{i}]: {n!r} is listed twice")
        seen.add(n)
        out.append((n, named[n], "output"))
    return out


def _forward(model, inputs, modules, transform, allow_train, on_map):
    """Hooks the targets, runs one forward under no_grad and calls ``on_map(name, captured,
    array)`` for each captured map, in forward order. Every hook is removed, and with
    ``allow_train`` every buffer restored, whatever happens."""
    torch = _torch()
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {_type_name(model)}")
    if not torch.is_tensor(inputs):
        raise TypeError(
            f"inputs: expected a torch.Tensor (an N×C×H×W batch), got {_type_name(inputs)}"
        )
    if inputs.dim() < 1 or inputs.shape[0] < 1:
        raise ValueError(f"inputs: expected a batch of at least one image, got shape {tuple(inputs.shape)}")
    if transform is not None and not callable(transform):
        raise TypeError(f"transform: expected a callable (e.g. torch.relu) or None, got {_type_name(transform)}")
    training = [n or "<model>" for n, m in model.named_modules() if m.training]
    if training and not allow_train:
        shown = ", ".join(training[:3]) + (", …" if len(training) > 3 else "")
        raise ValueError(
            f"model is in training mode ({len(training)} modules, e.g. {shown}): BatchNorm would "
            "normalise with batch statistics and update its running statistics, Dropout would drop; "
            "call model.eval() first, or pass allow_train=True to measure in training mode "
            "(as sednas measure does; buffers are restored afterwards)"
        )
    targets = _targets(torch, model, modules)
    calls = {}

    def hook_for(name, captured):
        def take(t):
            k = calls.get(name, 0) + 1
            calls[name] = k
            label = name if k == 1 else f"{name}#{k}"
            where = f"{captured} of module {label!r}"
            if transform is not None:
                t = transform(t)
            on_map(label, captured, tuple(t.shape) if torch.is_tensor(t) else None, _to_nhwc(torch, t, where))

        if captured == "input":
            def pre(module, args):
                if not args:
                    raise ValueError(f"input of module {name!r}: called without a positional input")
                take(args[0])

            return pre

        def post(module, args, output):
            take(output)

        return post

    saved = None
    handles = []
    try:
        if allow_train:
            saved = [(b, b.detach().clone()) for b in model.buffers()]
        for name, m, captured in targets:
            h = hook_for(name, captured)
            handles.append(m.register_forward_pre_hook(h) if captured == "input" else m.register_forward_hook(h))
        with torch.no_grad():
            model(inputs)
    finally:
        for h in handles:
            h.remove()
        if saved is not None:
            with torch.no_grad():
                for b, v in saved:
                    b.copy_(v)
    missing = [n for n, _, _ in targets if n not in calls]
    return missing


def capture_maps(model, inputs, modules=None, transform=None, allow_train=False):
    """The maps :func:`entropy_profile` would measure, without measuring them: a list of
    ``(layer, captured, array)`` with ``array`` the map as a C-contiguous N×H×W×C numpy
    array (the library's layout). Same arguments and checks as :func:`entropy_profile`."""
    out = []
    _forward(model, inputs, modules, transform, allow_train, lambda n, c, s, a: out.append((n, c, a)))
    return out


def entropy_profile(
    model,
    inputs,
    modules=None,
    kernel=(3, 3),
    estimator="binned:16",
    h2=True,
    transform=None,
    allow_train=False,
    as_="list",
):
    """Local-entropy profile of ``model``'s feature maps on the batch ``inputs``.

    Registers forward hooks, runs ``model(inputs)`` once under ``torch.no_grad()``, measures
    each captured map as it is produced (one map held at a time; the GIL is released while
    measuring) and removes every hook before returning or raising.

    Parameters
    ----------
    model : torch.nn.Module
        In eval mode (``model.eval()``); a model with any module in training mode raises
        ``ValueError`` unless ``allow_train=True``.
    inputs : torch.Tensor
        The batch, N first (N×C×H×W for an image model), on the model's device.
    modules : list of str, optional
        Names from ``model.named_modules()`` whose *outputs* are captured. Default: the
        *input* of every ``torch.nn.Conv2d`` (what each convolution sees). A name that does
        not exist raises ``ValueError`` listing close names.
    kernel : tuple
        Window (kh, kw) — one channel — or (kh, kw, kc); odd sizes. Border ``valid``.
    estimator : str
        H1 estimator of ``h1b``: ``"binned:N"`` (N bins over each image's range, default
        ``binned:16`` as ``sednas measure``), ``"binned:N:LO:HI"`` or ``"exact"``.
    h2 : bool
        Compute H2 across the batch. It needs more images than window entries d = kh·kw·kc
        (N ≥ 10 for 3×3 windows): a smaller batch raises ``ValueError`` unless ``h2=False``.
    transform : callable, optional
        Applied to each captured tensor before it is measured (``torch.relu`` gives
        ``sednas measure``'s ``relu`` maps from cell outputs).
    allow_train : bool
        Measure a model in training mode (BatchNorm with batch statistics, as ``sednas
        measure`` does). Every buffer (BatchNorm running statistics, ...) is restored after
        the forward pass; Dropout still drops at random.
    as_ : str
        ``"list"`` (list of dicts), ``"numpy"`` (structured array: ``layer``, ``captured``,
        ``shape`` (4 ints) and the figures) or ``"pandas"`` (a DataFrame; needs pandas).

    Returns
    -------
    EntropyProfile
        A named tuple ``(rows, summaries)``: one row per captured map in forward order —
        ``layer``, ``captured`` (``"input"``/``"output"``), ``shape`` (N, C, H, W as
        captured), ``h1x``, ``distinct``, ``h1b``, ``zero``, ``h2``, ``singular`` — and the
        dict of the six summaries (:data:`SUMMARIES`) over the rows in that order.

    Raises
    ------
    TypeError
        ``model`` not a module, ``inputs`` not a tensor, a captured output that is not a
        tensor, or a bad ``kernel`` / ``modules`` / ``transform`` type.
    ValueError
        An unknown module name (close names listed), a model in training mode, a batch too
        small for H2, a captured map that is not 4-D (module and shape named), a bad
        estimator or kernel size, NaN/±inf in a map, a module that never ran.
    ImportError
        ``as_="pandas"`` without pandas.

    Examples
    --------
    >>> import torch, sednas.torch
    >>> _ = torch.manual_seed(0)
    >>> net = torch.nn.Sequential(
    ...     torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
    ...     torch.nn.Conv2d(8, 8, 3, padding=1)).eval()
    >>> rows, summaries = sednas.torch.entropy_profile(net, torch.randn(16, 3, 16, 16))
    >>> [(r["layer"], r["captured"], r["shape"]) for r in rows]
    [('0', 'input', (16, 3, 16, 16)), ('3', 'input', (16, 8, 16, 16))]
    >>> rows[1]["zero"] > rows[0]["zero"]  # after the ReLU, windows of zeros
    True
    >>> list(summaries) == list(sednas.torch.SUMMARIES)
    True
    """
    if as_ not in ("list", "numpy", "pandas"):
        raise ValueError(f"as_: expected 'list', 'numpy' or 'pandas', got {as_!r}")
    if as_ == "pandas":
        try:
            import pandas
        except ImportError as e:
            raise ImportError(f"as_='pandas' needs pandas (pip install pandas): {e}") from None
    if not isinstance(h2, (bool, np.bool_)):
        raise TypeError(f"h2: expected a bool, got {_type_name(h2)}")
    h2 = bool(h2)
    d = _check_options(kernel, estimator)
    torch = _torch()
    if h2 and torch.is_tensor(inputs) and inputs.dim() >= 1 and inputs.shape[0] <= d:
        raise ValueError(
            f"H2 needs more images than window entries: inputs has {inputs.shape[0]} images and "
            f"windows of kernel {tuple(kernel)} have d = {d} entries, so every covariance is "
            f"singular; pass at least {d + 1} images, or h2=False"
        )
    rows = []

    def measure(layer, captured, shape, a):
        try:
            fig = _sednas._profile_map(a, kernel, estimator, h2)
        except (ValueError, MemoryError) as e:
            raise type(e)(f"{captured} of module {layer!r} (shape {shape}): {e}") from None
        rows.append({"layer": layer, "captured": captured, "shape": shape, **fig})

    missing = _forward(model, inputs, modules, transform, allow_train, measure)
    if modules is not None and missing:
        raise ValueError(
            f"module(s) {', '.join(repr(m) for m in missing)} did not run in the forward pass: nothing captured"
        )
    s = _sednas._summaries([r["h1b"] for r in rows], [r["zero"] for r in rows], [r["h2"] for r in rows])
    summaries = dict(zip(SUMMARIES, s))
    if as_ == "numpy":
        width = max([len(r["layer"]) for r in rows] + [1])
        dt = [("layer", f"U{width}"), ("captured", "U6"), ("shape", np.int64, (4,))] + [(f, np.float64) for f in FIGURES]
        out = np.array([(r["layer"], r["captured"], r["shape"], *(r[f] for f in FIGURES)) for r in rows], dtype=dt)
        return EntropyProfile(out, summaries)
    if as_ == "pandas":
        return EntropyProfile(pandas.DataFrame(rows), summaries)
    return EntropyProfile(rows, summaries)


def _skip_doctests_without_torch():
    """Without PyTorch the examples cannot run: mark them ``+SKIP`` so that doctest runs
    (``pytest --doctest-modules``) report them skipped instead of failing."""
    if importlib.util.find_spec("torch") is not None:
        return
    f = entropy_profile
    f.__doc__ = "\n".join(
        line + "  # doctest: +SKIP" if line.lstrip().startswith(">>>") else line for line in f.__doc__.split("\n")
    )


_skip_doctests_without_torch()
