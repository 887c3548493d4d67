"""Times skimage.filters.rank.entropy on the bench image (called by benches/entropy.rs).

usage: python3 benches/skimage_entropy.py IMAGE.npy K  -> prints best seconds per call
"""
import sys
import time

import numpy as np
from skimage.filters.rank import entropy

img = np.load(sys.argv[1])
k = int(sys.argv[2])
fp = np.ones((k, k), dtype=np.uint8)
entropy(img, fp)  # warm-up
best = float("inf")
for _ in range(5):
    t = time.perf_counter()
    entropy(img, fp)
    best = min(best, time.perf_counter() - t)
print(best)
