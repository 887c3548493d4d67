"""sednas: local entropy of feature maps and the SED / LED-flow / LEDp zero-cost NAS proxies.

A thin layer over the Rust library (the single source of truth): every function converts
its arguments, calls the library and converts the result. Entropies are in bits. Errors are
Python exceptions carrying the library's message on one line, naming the argument (and the
position or limit where there is one):

- ``TypeError``: an argument of the wrong type: an unsupported dtype (complex, object,
  int64, ...), ``None``, a scalar or a non-sequence where a sequence is expected, a bool or
  float where a size is expected.
- ``ValueError``: a bad value, shape or setting: NaN/±inf where a number must be finite,
  wrong rank, empty axes, even kernels, zero or negative sizes, lengths that differ,
  unknown names, bad architectures (with their index), a string with a lone surrogate
  (not valid UTF-8, with its position).
- ``MemoryError``: work the library refuses as too large before allocating (its
  ``TooLarge`` and ``KernelTooLarge`` errors: a kernel past 2^24 entries per window, a
  binned estimator past 2^24 bins, a census size past its limit, ...).

Long calls release the GIL.

>>> import numpy as np, sednas
>>> img = np.array([[0, 0, 1], [0, 0, 1], [2, 2, 3]], dtype=np.uint8)
>>> float(sednas.local_entropy(img, kernel=(3, 3), border="valid")[0, 0])  # counts {0:4, 1:2, 2:2, 3:1}
1.836591668108979
"""

from . import _sednas

__version__ = _sednas.__version__

__all__ = [
    "local_entropy",
    "gaussian_local_entropy",
    "score",
    "proxies",
    "evaluate",
    "verify",
    "canonical_text",
    "protocol_half",
    "nb201_ops",
    "competition_ranks",
    "top_percent",
    "expected_hits",
]


def local_entropy(x, kernel=(3, 3), stride=None, border="crop", estimator="exact"):
    """Local one-dimensional entropy H1 (Shannon entropy of value frequencies, bits) of
    every sliding window of a map (the paper's Definition 3 windows).

    Parameters
    ----------
    x : numpy.ndarray
        A 2-D (h×w) or 3-D (h×w×c) array of uint8, float32 or float64, C- or F-ordered or
        strided (read in place, without a copy; only a view whose strides are not whole
        elements, or whose data is misaligned, is copied first). NaN or ±inf raise
        ``ValueError``.
    kernel : tuple
        Window size in array axis order, (kh, kw) or (kh, kw, kc); odd sizes (ints: a bool
        or float raises ``TypeError``, a negative or even size ``ValueError``, more than
        2^24 entries per window ``MemoryError``).
    stride : tuple, optional
        Step in array axis order (default 1 on every axis).
    border : str
        ``"crop"`` (windows shrink at the border), ``"valid"`` (only full windows),
        ``"zero"`` (zero padding) or ``"reflect"``.
    estimator : str
        ``"exact"`` (frequency of each exact value), ``"binned:N"`` (N bins over the map's
        range) or ``"binned:N:LO:HI"``; more than 2^24 bins raise ``MemoryError``.

    Returns
    -------
    numpy.ndarray of float64: one value per window, 2-D for a 2-D input.

    Examples
    --------
    >>> import numpy as np, sednas
    >>> float(sednas.local_entropy(np.zeros((4, 4), np.uint8)).max())  # constant map: 0 bits
    0.0
    """
    return _sednas.local_entropy(x, kernel, stride, border, estimator)


def gaussian_local_entropy(batch, kernel=(3, 3, 1), stride=None, border="crop", ridge=None):
    """Local multivariate-Gaussian entropy H2 = ½·log2((2πe)^d·det Σ) in bits, Σ the sample
    covariance of each window's d entries across the N maps of a batch.

    Parameters
    ----------
    batch : numpy.ndarray
        N×H×W×C array (uint8, float32 or float64). N must exceed d = kh·kw·kc for a
        non-singular Σ.
    kernel, stride, border : as in :func:`local_entropy` (array axis order h, w, c).
    ridge : float, optional
        Use Σ + ridge·I.

    Returns
    -------
    (values, singular) : float64 map (−inf where Σ is singular) and the boolean mask of
    singular windows.

    Examples
    --------
    >>> import numpy as np, sednas
    >>> b = np.arange(4, dtype=np.float64).reshape(4, 1, 1, 1)  # 0,1,2,3: variance 5/3
    >>> h, singular = sednas.gaussian_local_entropy(b, kernel=(1, 1, 1))
    >>> round(float(h[0, 0, 0]), 6), bool(singular.any())
    (2.415578, False)
    """
    return _sednas.gaussian_local_entropy(batch, kernel, stride, border, ridge)


def proxies():
    """The proxy registry of the Rust library: one dict per proxy (``name``, ``aliases``,
    ``column``, ``label``, ``direction``, ``needs``, ``spaces``, ``about``), the same names
    ``sednas score``, ``sednas eval`` and ``sednas benchmark`` accept. Every proxy is
    higher = better; ``needs == "topology"`` ones are computed by :func:`score`, ``"network"``
    ones are columns of ``sednas measure`` output (``led-m``: LEDp + 32·``neg_zero_mean`` of a
    run with ``--input patches --batch 10``, or ``sednas score --proxy led-m``).

    >>> import sednas
    >>> [p["name"] for p in sednas.proxies() if p["needs"] == "topology"]
    ['sed', 'led-flow', 'ledp', 'params', 'sed-validated', 'sed-measured']
    """
    return _sednas.proxies()


def score(archs, space="nb201", proxy="sed", led_skip_gain=0.75, **switches):
    """Data-free proxy scores of architectures, computed from their topology.

    Parameters
    ----------
    archs : iterable
        NB201 strings (``"|nor_conv_3x3~0|+|...|"``), NATS-SSS channel strings, NB101
        ``"ADJ|op,op,..."`` strings or ``(matrix, ops)`` pairs, or DARTS genotypes (Python
        repr, JSON or NASLib ``NORMAL|REDUCE`` form).
    space : str
        ``"nb201"``, ``"nats-sss"``, ``"nb101"`` or ``"darts"``.
    proxy : str
        A topology proxy of the registry (:func:`proxies`): ``"sed"`` (the paper's
        Definition 4), ``"led-flow"``, ``"ledp"`` or ``"params"`` (the benchmark network's
        parameter count); aliases (``"led_flow"``, ``"#params"``) are accepted.
    led_skip_gain : float
        LED-flow's skip gain (also inside LEDp).
    **switches
        The CLI's SED switches, snake_case: ``comparison="gt"``, ``none_in_opt=True``,
        ``kernel_count="filters"``, ``missing_constant``, ``o1_source="arch"``,
        ``precision="f32"``, ``squash="identity"``, ``use_skip=False``, ``use_conv``,
        ``use_pool``, and the network's ``block="node"``, ``nb201_channels``, … (see
        ``docs/sed-readings.md``). Unknown names raise ``ValueError``.

    Returns
    -------
    numpy.ndarray of float64, one score per architecture.

    Examples
    --------
    >>> import sednas
    >>> best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    >>> float(sednas.score([best], proxy="params")[0])
    1288506.0
    """
    if isinstance(archs, (str, bytes)):
        raise TypeError("archs: expected an iterable of architectures, not a single string (wrap it in a list)")
    if space == "nb101":
        archs = [_nb101_pair(a) for a in archs]
    return _sednas.score(archs, space, proxy, led_skip_gain, **switches)


def _nb101_pair(a):
    """An NB101 (matrix, ops) pair whose matrix is a 0/1 string, list of lists or array → the
    (string, ops) form the library reads; strings pass through unchanged."""
    if isinstance(a, tuple) and len(a) == 2 and not isinstance(a[0], str):
        import numpy as np

        m = np.asarray(a[0])
        if m.ndim != 2 or m.shape[0] != m.shape[1] or not np.isin(m, (0, 1)).all():
            raise ValueError(f"NB101 matrix must be a square 0/1 array, got shape {m.shape}")
        return ("".join("1" if v else "0" for v in m.ravel()), a[1])
    return a


def evaluate(proxy_values, accuracies, name="proxy"):
    """Agreement of a proxy with ground truth, as ``sednas eval --json`` reports it:
    Spearman ρ, Kendall τ-b, expected top-10/100 precision, and the tie-aware selection of
    the top score (best / expected / worst true rank and accuracy of the tied cells).
    Higher is better on both sides; NaN marks a missing value (the pair is left out and
    counted in ``n_missing``). A proxy value of ±inf is a value: it ranks above (below)
    every finite one, and a top score of inf comes back as ``float('inf')``; an accuracy of
    ±inf raises ``ValueError``. A statistic that is undefined (e.g. top-k precision with no
    pairs) is ``None``, as in the CLI's JSON.

    Parameters
    ----------
    proxy_values, accuracies : 1-D sequences or arrays of real numbers, of equal length.
        ``None``, a scalar, a string, a non-sequence (set, generator, dict), a complex dtype or
        an element that is not a real number raise ``TypeError`` naming the argument (and
        the position); a shape other than 1-D or lengths that differ raise ``ValueError``.

    Examples
    --------
    >>> import numpy as np, sednas
    >>> r = sednas.evaluate(np.array([2.0, 1.0, 2.0, 0.0]), np.array([90.0, 95.0, 80.0, 85.0]))
    >>> r["selection"]["tied"], r["selection"]["expected_rank"]
    (2, 3.0)
    """
    return _sednas.evaluate(_reals(proxy_values, "proxy_values"), _reals(accuracies, "accuracies"), name)


def _reals(x, what):
    """A 1-D sequence of real numbers as a contiguous float64 array, or ``TypeError`` /
    ``ValueError`` naming ``what`` (and the position of the first bad element)."""
    import numbers

    import numpy as np

    if x is None or isinstance(x, (str, bytes, dict)):
        raise TypeError(f"{what}: expected a 1-D sequence or array of real numbers, got {_type_name(x)}")
    try:
        a = np.asarray(x)
    except (ValueError, TypeError) as e:  # ragged nesting
        raise ValueError(f"{what}: cannot be read as a 1-D array: {_one_line(e)}") from None
    if a.ndim == 0:  # a set, a generator, an object numpy cannot index
        raise TypeError(f"{what}: expected a 1-D sequence or array of real numbers, got {_type_name(x)}")
    if a.ndim != 1:
        raise ValueError(f"{what}: expected a 1-D sequence or array, got shape {a.shape}")
    kind = a.dtype.kind
    if kind == "c":
        raise TypeError(
            f"{what}: complex dtype {a.dtype} is not supported; pass the real part (x.real) or abs(x)"
        )
    if kind == "O":
        for i, v in enumerate(a):
            if not isinstance(v, (numbers.Real, np.bool_)):
                raise TypeError(f"{what}[{i}]: expected a real number, got {_type_name(v)}")
        return np.ascontiguousarray(a, dtype=np.float64)
    if kind in "USa" and a.size:
        raise TypeError(f"{what}[0]: expected a real number, got a string (dtype {a.dtype})")
    if kind not in "biuf":
        raise TypeError(f"{what}: expected real numbers, got dtype {a.dtype}")
    return np.ascontiguousarray(a, dtype=np.float64)


def _type_name(v):
    t = type(v)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _one_line(e):
    return " ".join(str(e).split())


def canonical_text(archs, space="nb201"):
    """The canonical one-line text of each architecture, as the Rust library writes it
    after parsing (``AnyArch``'s ``Display``): the key on which ``sednas eval --join`` and
    ``sednas benchmark`` join files, and which the protocol's split hashes. Two spellings
    of one architecture (NASLib cells and a ``Genotype(...)`` repr, surrounding blanks) give
    one text.

    Parameters
    ----------
    archs : iterable
        As in :func:`score` (NB201 strings, NB101 ``"ADJ|ops"`` strings or ``(matrix, ops)``
        pairs, DARTS genotypes in any form the library reads, NATS-SSS channels).
    space : str
        ``"nb201"``, ``"nats-sss"``, ``"nb101"`` or ``"darts"``.

    Returns
    -------
    list of str. An architecture that does not parse raises ``ValueError`` naming its
    position.

    Examples
    --------
    >>> import sednas
    >>> sednas.canonical_text([" |skip_connect~0|+|none~0|avg_pool_3x3~1| "])  # blanks trimmed
    ['|skip_connect~0|+|none~0|avg_pool_3x3~1|']
    >>> sednas.canonical_text([("0100", ["input", "output"])], space="nb101")
    ['0100|input,output']
    >>> cell = "none~0;none~1;none~0;none~1;none~0;none~1;none~0;none~1"
    >>> sednas.canonical_text([cell + "|" + cell], space="darts")[0][:50]  # NASLib cells → Genotype repr
    "Genotype(normal=[('none', 0), ('none', 1), ('none'"
    """
    if isinstance(archs, (str, bytes)):
        raise TypeError("archs: expected an iterable of architectures, not a single string (wrap it in a list)")
    if space == "nb101":
        archs = [_nb101_pair(a) for a in archs]
    return _sednas.canonical_text(archs, space)


def protocol_half(archs, space="nb201"):
    """The half of the selection protocol (``docs/benchmark-protocol.md``) each architecture
    falls in: ``"design"`` when the top bit of the 64-bit FNV-1a hash of its canonical text
    (:func:`canonical_text`) is 0, else ``"report"`` — the split ``sednas benchmark`` uses
    (``sednas::eval::benchmark::half_of``).

    Parameters
    ----------
    archs, space : as in :func:`canonical_text`.

    Returns
    -------
    list of str, ``"design"`` or ``"report"``.

    Examples
    --------
    >>> import sednas
    >>> best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    >>> sednas.protocol_half([best, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"])
    ['report', 'design']
    """
    if isinstance(archs, (str, bytes)):
        raise TypeError("archs: expected an iterable of architectures, not a single string (wrap it in a list)")
    if space == "nb101":
        archs = [_nb101_pair(a) for a in archs]
    return _sednas.protocol_half(archs, space)


def nb201_ops(archs):
    """The edge operations of NB201 cells as the library parses them: for each cell a list
    in string order, edge j ← i at position j(j − 1)/2 + i (for the 4-node benchmark cell:
    1←0, 2←0, 2←1, 3←0, 3←1, 3←2).

    Examples
    --------
    >>> import sednas
    >>> sednas.nb201_ops(["|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|"])
    [['nor_conv_3x3', 'skip_connect', 'none', 'avg_pool_3x3', 'nor_conv_1x1', 'skip_connect']]
    """
    if isinstance(archs, (str, bytes)):
        raise TypeError("archs: expected an iterable of architectures, not a single string (wrap it in a list)")
    return _sednas.nb201_ops(archs)


def competition_ranks(values):
    """Competition ranks, 1 = largest: 1 + the number of strictly larger values, so equal
    values share the better rank; NaN (a missing value) ranks after every number. The true
    ranks of :func:`evaluate` and ``sednas benchmark``.

    Returns
    -------
    numpy.ndarray of int64.

    Examples
    --------
    >>> import numpy as np, sednas
    >>> sednas.competition_ranks([3.0, 5.0, 3.0, np.nan, 1.0]).tolist()
    [2, 1, 2, 5, 4]
    """
    return _sednas.competition_ranks(_reals(values, "values"))


def top_percent(accuracies, percent=1.0):
    """The protocol's top-``percent`` % set: a boolean mask of the cells whose accuracy is
    at least the ⌈n·percent/100⌉-th largest (n counts the non-NaN accuracies; NaN is never
    in the set), as ``sednas benchmark`` builds its top-1 % (``percent`` in (0, 100]).

    Examples
    --------
    >>> import numpy as np, sednas
    >>> sednas.top_percent(np.arange(200.0)).nonzero()[0].tolist()  # ⌈1 % of 200⌉ = 2 cells
    [198, 199]
    """
    return _sednas.top_percent(_reals(accuracies, "accuracies"), float(percent))


def expected_hits(scores, hit, k):
    """Expected number of ``hit`` items among the ``k`` best scores under uniform random
    tie-breaking at the k-th score (NaN scores are never picked): with A the items above
    the k-th score and G those tied at it, |A ∩ hit| + (k − |A|)·|G ∩ hit|/|G|. With
    ``hit = top_percent(acc)`` this is the benchmark's "top-1 % in top k".

    Examples
    --------
    >>> import sednas
    >>> sednas.expected_hits([3.0, 2.0, 2.0, 1.0], [True, False, True, False], 2)
    1.5
    """
    import numpy as np

    s = _reals(scores, "scores")
    h = np.asarray(hit)
    if h.dtype.kind != "b":
        raise TypeError(f"hit: expected booleans, got dtype {h.dtype}")
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k: expected an int, got {_type_name(k)}")
    if k < 0:
        raise ValueError(f"k must be at least 0, got {k}")
    return _sednas.expected_hits(s, np.ascontiguousarray(h), int(k))


def verify(thorough=False, seed=20241109):
    """The verdicts on Propositions 1–5 of the SED paper with their evidence (a list of
    dicts: id, verdict, paper, corrected, proof, checks). Built without burn, the two
    autodiff cross-checks of P1 and P2 are absent from the evidence.

    Examples
    --------
    >>> import sednas
    >>> [r["id"] for r in sednas.verify()]
    ['P1', 'P2', 'P3', 'P4', 'P5']
    """
    return _sednas.verify(thorough, seed)
