#!/usr/bin/env python3
"""Writes assets/patches.png: 64 natural-image patches (32x32 RGB) for `sednas measure
--input patches`, an input that needs no dataset. Run once; the PNG is committed and
embedded in the binary (include_bytes!), so nothing is read at run time.

Source: scikit-image 0.26.0's sample photographs (skimage.data; BSD-licensed/public-domain
images, see skimage/data/README.txt): astronaut, coffee, chelsea, rocket. Each photo is
downscaled 4x by area averaging (skimage.transform.downscale_local_mean; a 32x32 patch then
covers 128x128 pixels of the photo, about the scale of a CIFAR object), and 16 patches per
photo are cut at positions drawn by numpy.random.default_rng(20261203) without overlap
checks. Atlas layout: 8x8 tiles of 32x32, row-major: tile t = row t // 8, column t % 8;
photo t // 16.

    python3 scripts/make-patches.py   # needs scikit-image 0.26.0, numpy, imageio
"""
import os

import imageio.v3 as iio
import numpy as np
from skimage import data
from skimage.transform import downscale_local_mean

PHOTOS = ["astronaut", "coffee", "chelsea", "rocket"]
PER = 16
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "patches.png")
rng = np.random.default_rng(20261203)
atlas = np.zeros((256, 256, 3), dtype=np.uint8)
t = 0
for name in PHOTOS:
    img = getattr(data, name)()[..., :3].astype(np.float64)
    small = downscale_local_mean(img, (4, 4, 1))
    h, w = small.shape[:2]
    for _ in range(PER):
        y, x = int(rng.integers(0, h - 32 + 1)), int(rng.integers(0, w - 32 + 1))
        patch = np.clip(np.rint(small[y:y + 32, x:x + 32]), 0, 255).astype(np.uint8)
        r, c = divmod(t, 8)
        atlas[r * 32:(r + 1) * 32, c * 32:(c + 1) * 32] = patch
        t += 1
iio.imwrite(out, atlas)
print("wrote", os.path.normpath(out), atlas.shape)
