"""The Python side of the proxy registry: every topology proxy of ``sednas.proxies()`` is
scored by ``sednas.score`` under its name and aliases with one set of values, and, where the
CLI is at hand (``SEDNAS_BIN`` or ``target/debug/sednas``), with the values ``sednas score``
prints (tests/proxy_registry.rs checks score, eval and benchmark against each other)."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

import sednas

CELLS = [
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    "|avg_pool_3x3~0|+|none~0|none~1|+|none~0|none~1|avg_pool_3x3~2|",
    "|nor_conv_1x1~0|+|skip_connect~0|none~1|+|none~0|nor_conv_3x3~1|skip_connect~2|",
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
]


def _bin():
    env = os.environ.get("SEDNAS_BIN")
    if env:
        return env
    p = pathlib.Path(__file__).resolve().parents[2] / "target" / "debug" / "sednas"
    return str(p) if p.exists() else None


def test_registry_lists_topology_and_measured_proxies():
    ps = sednas.proxies()
    names = [p["name"] for p in ps]
    assert names[:4] == ["sed", "led-flow", "ledp", "params"]
    assert {p["needs"] for p in ps} == {"topology", "network"}
    assert all(p["direction"] == "higher-is-better" for p in ps)


@pytest.mark.parametrize("p", [p for p in sednas.proxies() if p["needs"] == "topology"], ids=lambda p: p["name"])
def test_same_name_same_values(p):
    v = sednas.score(CELLS, space="nb201", proxy=p["name"])
    for alias in p["aliases"]:
        np.testing.assert_array_equal(sednas.score(CELLS, space="nb201", proxy=alias), v)
    exe = _bin()
    if exe is None:
        pytest.skip("no sednas binary (set SEDNAS_BIN)")
    out = subprocess.run(
        [exe, "score", "--space", "nb201", "--proxy", p["name"], *CELLS],
        check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    assert out[0].split(",")[-1] == p["column"]
    cli = np.array([float(line.rsplit(",", 1)[1]) for line in out[1:]])
    np.testing.assert_array_equal(cli, v)


def test_measured_proxies_are_not_scored_from_the_topology():
    name = next(p["name"] for p in sednas.proxies() if p["needs"] == "network")
    with pytest.raises(ValueError, match="network"):
        sednas.score(CELLS, space="nb201", proxy=name)
