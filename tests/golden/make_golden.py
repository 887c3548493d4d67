"""Generate the golden values used by tests/oracles.rs (run once; the outputs are committed).

    pip install numpy scipy scikit-image
    python3 tests/golden/make_golden.py

No Python runs at test time: the tests read the .npy / .json files written here.
"""
import json
import os

import numpy as np
import scipy
import skimage
from scipy.stats import multivariate_normal
from skimage.filters.rank import entropy

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20241109)

meta = {"numpy": np.__version__, "scipy": scipy.__version__, "skimage": skimage.__version__}

# --- H1: scikit-image rank.entropy (log base 2, population = footprint ∩ image, i.e. 'crop')
images = {
    "u8_levels16_23x19": rng.integers(0, 16, size=(23, 19), dtype=np.uint8),
    "u8_full_31x40": rng.integers(0, 256, size=(31, 40), dtype=np.uint8),
}
# footprints (rows=k_h, cols=k_w)
footprints = [(3, 3), (5, 5), (7, 7), (3, 5), (5, 1)]
cases = []
for name, img in images.items():
    np.save(os.path.join(HERE, f"{name}.npy"), img)
    for kh, kw in footprints:
        out = entropy(img, np.ones((kh, kw), dtype=np.uint8)).astype(np.float64)
        fname = f"{name}_skimage_entropy_{kw}x{kh}.npy"
        np.save(os.path.join(HERE, fname), out)
        cases.append({"image": f"{name}.npy", "kernel": f"{kw}x{kh}", "expected": fname})

# --- H2: scipy multivariate_normal(...).entropy() (nats) -> bits
covs = []
for d in [1, 2, 3, 5, 9, 27]:
    a = rng.normal(size=(d, d + 3))
    cov = a @ a.T / (d + 3) + 0.1 * np.eye(d)
    nats = float(multivariate_normal(mean=np.zeros(d), cov=cov).entropy())
    covs.append({"cov": cov.tolist(), "nats": nats, "bits": nats / np.log(2)})
diag = [0.5, 2.0, 3.0, 0.01]
nats = float(multivariate_normal(mean=np.zeros(4), cov=np.diag(diag)).entropy())
covs.append({"cov": np.diag(diag).tolist(), "nats": nats, "bits": nats / np.log(2)})

with open(os.path.join(HERE, "golden.json"), "w") as f:
    json.dump({"generator": meta, "skimage_rank_entropy": cases, "scipy_mvn_entropy": covs}, f, indent=1)
print("wrote", len(cases), "H1 cases and", len(covs), "H2 cases", meta)
