//! Real image datasets: IDX (MNIST, Fashion-MNIST), CIFAR test PNGs, and scikit-learn's
//! 8×8 digits (embedded in the `smartcore` crate, always available).
//!
//! Files come from `scripts/fetch-data.sh` (into the ignored `data/` folder); nothing is
//! downloaded at run time. Images are returned as `n×c×h×w` f32 in [0, 1] with labels.

use std::path::{Path, PathBuf};

use ndarray::{Array3, Array4, Axis, s};

use crate::error::{Error, Result};

/// A labelled image set, `n×c×h×w`, values in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSet {
    /// Name (and split).
    pub name: String,
    /// Images.
    pub images: Array4<f32>,
    /// Class of each image.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
}

impl ImageSet {
    /// Number of images.
    ///
    /// ```
    /// assert_eq!(sednas::data::digits().len(), 1797);
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// The first `n` images (all if fewer).
    ///
    /// ```
    /// let d = sednas::data::digits().take(3);
    /// assert_eq!((d.len(), d.labels.as_slice(), d.classes), (3, &[0, 1, 2][..], 10));
    /// assert_eq!(sednas::data::digits().take(5000).len(), 1797); // all if fewer
    /// ```
    pub fn take(&self, n: usize) -> ImageSet {
        let n = n.min(self.len());
        ImageSet {
            name: self.name.clone(),
            images: self.images.slice(s![..n, .., .., ..]).to_owned(),
            labels: self.labels[..n].to_vec(),
            classes: self.classes,
        }
    }

    /// Images `[start, end)`.
    ///
    /// ```
    /// let d = sednas::data::digits();
    /// let r = d.range(10, 13);
    /// assert_eq!(r.labels, [0, 1, 2]);
    /// assert_eq!(r.images.shape(), &[3, 1, 8, 8]);
    /// assert_eq!(d.range(1795, 2000).len(), 2); // clipped to the set
    /// ```
    pub fn range(&self, start: usize, end: usize) -> ImageSet {
        let (a, b) = (start.min(self.len()), end.min(self.len()));
        ImageSet {
            name: self.name.clone(),
            images: self.images.slice(s![a..b, .., .., ..]).to_owned(),
            labels: self.labels[a..b].to_vec(),
            classes: self.classes,
        }
    }

    /// Zero-pads to `side×side` (centred) and repeats a single channel to `channels`: the
    /// NB201 skeleton expects 32×32×3, MNIST is 28×28×1.
    ///
    /// ```
    /// let d = sednas::data::digits();
    /// let p = d.take(2).to_square_rgb(12, 3);
    /// assert_eq!(p.images.shape(), &[2, 3, 12, 12]);
    /// ```
    pub fn to_square_rgb(&self, side: usize, channels: usize) -> ImageSet {
        let (n, c, h, w) = self.images.dim();
        let (oy, ox) = (side.saturating_sub(h) / 2, side.saturating_sub(w) / 2);
        let out = Array4::from_shape_fn((n, channels, side, side), |(i, ch, y, x)| {
            let src_c = if c == 1 { 0 } else { ch.min(c - 1) };
            if y >= oy && x >= ox && y - oy < h && x - ox < w {
                self.images[[i, src_c, y - oy, x - ox]]
            } else {
                0.0
            }
        });
        ImageSet {
            name: self.name.clone(),
            images: out,
            labels: self.labels.clone(),
            classes: self.classes,
        }
    }
}

/// scikit-learn's 1,797 handwritten digits, 8×8, 10 classes (values 0..16 scaled to [0, 1]),
/// embedded in `smartcore` (always available, no files).
///
/// ```
/// let d = sednas::data::digits();
/// assert_eq!((d.len(), d.images.shape()), (1797, &[1797, 1, 8, 8][..]));
/// ```
pub fn digits() -> ImageSet {
    let ds = smartcore::dataset::digits::load_dataset();
    let n = ds.num_samples;
    let images = Array4::from_shape_vec((n, 1, 8, 8), ds.data.iter().map(|v| v / 16.0).collect())
        .unwrap_or_else(|_| Array4::zeros((0, 1, 8, 8)));
    ImageSet {
        name: "digits".into(),
        images,
        labels: ds.target.iter().map(|&t| t as usize).collect(),
        classes: 10,
    }
}

/// The 64 natural-image patches embedded in the binary (`assets/patches.png`, made by
/// `scripts/make-patches.py` from scikit-image 0.26.0's sample photographs astronaut,
/// coffee, chelsea and rocket, each downscaled 4× by area averaging): 32×32 RGB in [0, 1],
/// an input that needs no dataset. Image i is patch i / 4 of photo i % 4 (so any batch of
/// four or more holds every photo); the label is the photo (0..4).
///
/// # Errors
/// None in practice: the embedded PNG is checked by the tests; a damaged build would give
/// [`Error::Png`].
///
/// ```
/// let p = sednas::data::patches().unwrap();
/// assert_eq!((p.len(), p.images.shape(), p.classes), (64, &[64, 3, 32, 32][..], 4));
/// assert_eq!(&p.labels[..5], &[0, 1, 2, 3, 0]);
/// assert!(p.images.iter().all(|v| (0.0..=1.0).contains(v)));
/// ```
pub fn patches() -> Result<ImageSet> {
    const ATLAS: &[u8] = include_bytes!("../assets/patches.png");
    let img = crate::io::png::decode_png(ATLAS, "assets/patches.png")?;
    if img.dim() != (256, 256, 3) {
        return Err(Error::Png {
            path: "assets/patches.png".into(),
            reason: format!("expected a 256×256 RGB atlas, got {:?}", img.dim()),
        });
    }
    let mut images = Array4::<f32>::zeros((64, 3, 32, 32));
    let mut labels = Vec::with_capacity(64);
    for i in 0..64 {
        let tile = (i % 4) * 16 + i / 4;
        let (r, c) = (tile / 8, tile % 8);
        for ch in 0..3 {
            for y in 0..32 {
                for x in 0..32 {
                    images[[i, ch, y, x]] = img[[r * 32 + y, c * 32 + x, ch]] as f32 / 255.0;
                }
            }
        }
        labels.push(i % 4);
    }
    Ok(ImageSet {
        name: "patches".into(),
        images,
        labels,
        classes: 4,
    })
}

fn idx_err(path: &Path, reason: impl Into<String>) -> Error {
    Error::Idx {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// Parses IDX bytes: returns (dimensions, data). Only unsigned-byte IDX files are read.
///
/// # Errors
/// [`Error::Idx`] naming `path` for a missing magic, an element type other than unsigned
/// bytes, a truncated header or data, or dimensions whose product overflows.
///
/// ```
/// let mut b = vec![0, 0, 8, 1, 0, 0, 0, 3];
/// b.extend([7, 8, 9]);
/// assert_eq!(sednas::data::parse_idx(&b, std::path::Path::new("mem")).unwrap(), (vec![3], vec![7, 8, 9]));
/// assert!(sednas::data::parse_idx(&b[..9], std::path::Path::new("mem")).is_err());
/// ```
pub fn parse_idx(bytes: &[u8], path: &Path) -> Result<(Vec<usize>, Vec<u8>)> {
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 {
        return Err(idx_err(path, "missing IDX magic (0x00 0x00 type ndim)"));
    }
    if bytes[2] != 0x08 {
        return Err(idx_err(
            path,
            format!(
                "unsupported IDX element type 0x{:02x} (only unsigned bytes, 0x08)",
                bytes[2]
            ),
        ));
    }
    let nd = bytes[3] as usize;
    if nd == 0 || bytes.len() < 4 + 4 * nd {
        return Err(idx_err(path, "truncated IDX header"));
    }
    let dims: Vec<usize> = (0..nd)
        .map(|k| {
            u32::from_be_bytes([
                bytes[4 + 4 * k],
                bytes[5 + 4 * k],
                bytes[6 + 4 * k],
                bytes[7 + 4 * k],
            ]) as usize
        })
        .collect();
    let need = dims
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b))
        .ok_or_else(|| idx_err(path, "dimensions overflow"))?;
    let data = &bytes[4 + 4 * nd..];
    if data.len() < need {
        return Err(idx_err(
            path,
            format!(
                "truncated data: dims {dims:?} need {need} bytes, found {}",
                data.len()
            ),
        ));
    }
    Ok((dims, data[..need].to_vec()))
}

fn read_idx(path: &Path) -> Result<(Vec<usize>, Vec<u8>)> {
    let bytes = crate::io::bounded::read(path, crate::io::bounded::BINARY)?;
    parse_idx(&bytes, path)
}

/// Which split of an IDX dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// 60,000 training images.
    Train,
    /// 10,000 test images.
    Test,
}

/// Reads an MNIST-format dataset (`train-images-idx3-ubyte` etc.) from `dir`.
///
/// # Errors
/// As [`crate::io::bounded::read`] for the two files ([`Error::Io`] when one is missing);
/// [`Error::Idx`] naming the file for an unreadable IDX file, images that are not
/// n×rows×cols, labels that do not match the images, or a label outside 0..10.
///
/// ```
/// use sednas::data::{load_idx, Split};
/// let dir = std::env::temp_dir().join(format!("sednas-doc-idx-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// // two 1×2 images (0, 255) and (255, 0), labels 3 and 7
/// let mut images = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
/// images.extend([0, 255, 255, 0]);
/// std::fs::write(dir.join("t10k-images-idx3-ubyte"), &images).unwrap();
/// std::fs::write(dir.join("t10k-labels-idx1-ubyte"), [0, 0, 8, 1, 0, 0, 0, 2, 3, 7]).unwrap();
/// let s = load_idx(&dir, Split::Test, "tiny").unwrap();
/// assert_eq!((s.name.as_str(), s.labels.as_slice()), ("tiny-t10k", &[3, 7][..]));
/// assert_eq!(s.images.iter().copied().collect::<Vec<f32>>(), [0.0, 1.0, 1.0, 0.0]);
/// // no training split there
/// assert!(matches!(load_idx(&dir, Split::Train, "tiny"), Err(sednas::error::Error::Io { .. })));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn load_idx(dir: &Path, split: Split, name: &str) -> Result<ImageSet> {
    let prefix = match split {
        Split::Train => "train",
        Split::Test => "t10k",
    };
    let ip = dir.join(format!("{prefix}-images-idx3-ubyte"));
    let lp = dir.join(format!("{prefix}-labels-idx1-ubyte"));
    let (idims, ibytes) = read_idx(&ip)?;
    let (ldims, lbytes) = read_idx(&lp)?;
    if idims.len() != 3 {
        return Err(idx_err(
            &ip,
            format!("expected 3 dimensions (n, rows, cols), got {idims:?}"),
        ));
    }
    if ldims.len() != 1 || ldims[0] != idims[0] {
        return Err(idx_err(
            &lp,
            format!("labels {ldims:?} do not match {} images", idims[0]),
        ));
    }
    let imgs = Array3::from_shape_vec((idims[0], idims[1], idims[2]), ibytes)
        .map_err(|e| idx_err(&ip, e.to_string()))?;
    let images = imgs.mapv(|v| v as f32 / 255.0).insert_axis(Axis(1));
    let labels: Vec<usize> = lbytes.iter().map(|&l| l as usize).collect();
    if let Some(&bad) = labels.iter().find(|&&l| l >= 10) {
        return Err(idx_err(&lp, format!("label {bad} outside 0..10")));
    }
    Ok(ImageSet {
        name: format!("{name}-{prefix}"),
        images,
        labels,
        classes: 10,
    })
}

/// The CIFAR test images shipped in foolbox's wheel: `cifar10_II_L.png` / `cifar100_II_L.png`.
///
/// The label is the number after the last `_` of the file name.
///
/// # Errors
/// [`Error::Io`] for a folder that cannot be listed; [`Error::Png`] naming the file for a
/// name without a label or an image that is not 32×32 RGB; as [`crate::io::png::read_png`]
/// for a file that does not decode.
///
/// ```
/// use sednas::data::load_cifar_pngs;
/// use sednas::io::png::encode_rgb;
/// let dir = std::env::temp_dir().join(format!("sednas-doc-cifar-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let red: Vec<u8> = (0..32 * 32).flat_map(|_| [255, 0, 0]).collect();
/// std::fs::write(dir.join("cifar10_00_3.png"), encode_rgb(32, 32, &red).unwrap()).unwrap();
/// let s = load_cifar_pngs(&dir, false).unwrap();
/// assert_eq!((s.name.as_str(), s.labels.as_slice(), s.classes), ("cifar10-test20", &[3][..], 10));
/// assert_eq!((s.images[[0, 0, 5, 5]], s.images[[0, 1, 5, 5]]), (1.0, 0.0));
/// assert_eq!(load_cifar_pngs(&dir, true).unwrap().len(), 0); // no cifar100_*.png
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn load_cifar_pngs(dir: &Path, cifar100: bool) -> Result<ImageSet> {
    let prefix = if cifar100 { "cifar100_" } else { "cifar10_" };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".png"))
        })
        .collect();
    files.sort();
    let mut images = Array4::<f32>::zeros((files.len(), 3, 32, 32));
    let mut labels = Vec::with_capacity(files.len());
    for (i, f) in files.iter().enumerate() {
        let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let label: usize = stem
            .rsplit('_')
            .next()
            .and_then(|l| l.parse().ok())
            .ok_or_else(|| Error::Png {
                path: f.display().to_string(),
                reason: "no label in the file name".into(),
            })?;
        let img = crate::io::png::read_png(f)?;
        if img.dim().0 != 32 || img.dim().1 != 32 || img.dim().2 < 3 {
            return Err(Error::Png {
                path: f.display().to_string(),
                reason: format!("expected 32×32 RGB, got {:?}", img.dim()),
            });
        }
        for c in 0..3 {
            for y in 0..32 {
                for x in 0..32 {
                    images[[i, c, y, x]] = img[[y, x, c]] as f32 / 255.0;
                }
            }
        }
        labels.push(label);
    }
    Ok(ImageSet {
        name: if cifar100 {
            "cifar100-test20".into()
        } else {
            "cifar10-test20".into()
        },
        images,
        labels,
        classes: if cifar100 { 100 } else { 10 },
    })
}

/// The datasets the CLI knows by name; `data_dir` is the folder `scripts/fetch-data.sh` fills.
///
/// # Errors
/// [`Error::BadSpec`] (`dataset`) for an unknown name; as [`load_idx`] or
/// [`load_cifar_pngs`] for the dataset's files.
///
/// ```
/// use sednas::data::{load_named, Split};
/// use sednas::error::Error;
/// let dir = std::path::Path::new("no-such-dir");
/// // digits are built in: a fixed 1,500 / 297 split
/// assert_eq!(load_named("digits", dir, Split::Train).unwrap().len(), 1500);
/// assert_eq!(load_named("digits", dir, Split::Test).unwrap().len(), 297);
/// assert!(matches!(load_named("mnist", dir, Split::Test), Err(Error::Io { .. })));
/// assert!(matches!(load_named("imagenet", dir, Split::Test), Err(Error::BadSpec { what: "dataset", .. })));
/// ```
pub fn load_named(name: &str, data_dir: &Path, split: Split) -> Result<ImageSet> {
    match name {
        "digits" => {
            // a fixed 1,500 / 297 split of the 1,797 digits
            let d = digits();
            Ok(match split {
                Split::Train => d.range(0, 1500),
                Split::Test => d.range(1500, d.len()),
            })
        }
        "mnist" => load_idx(&data_dir.join("mnist"), split, "mnist"),
        "fashion-mnist" => load_idx(&data_dir.join("fashion-mnist"), split, "fashion-mnist"),
        "cifar10-test20" => load_cifar_pngs(&data_dir.join("cifar"), false),
        "cifar100-test20" => load_cifar_pngs(&data_dir.join("cifar"), true),
        other => Err(Error::BadSpec {
            what: "dataset",
            text: other.to_string(),
            expected: "digits, mnist, fashion-mnist, cifar10-test20, cifar100-test20",
        }),
    }
}

/// Images from a `.npy` file: n×h×w or n×h×w×c, `u8` scaled by 1/255, other types as they
/// are; labels 0 (one class). The file is named in every refusal.
///
/// # Errors
/// The file's read errors; [`Error::Shape`] for another rank or an empty axis;
/// [`Error::InFile`] around [`Error::NonFinite`] for a NaN or infinite value.
pub fn images_from_npy(p: &Path) -> Result<ImageSet> {
    use crate::io::npy::{NpyArray, read_npy};
    let arr = read_npy(p)?;
    let scale = if matches!(arr, NpyArray::U8(_)) {
        1.0 / 255.0
    } else {
        1.0
    };
    let a = arr.to_f64();
    let name = p.display().to_string();
    let a = match a.ndim() {
        3 => a.insert_axis(Axis(3)),
        4 => a,
        n => {
            return Err(Error::Shape(format!(
                "{name}: images must be n×h×w or n×h×w×c, got rank {n}"
            )));
        }
    };
    let a = a
        .into_dimensionality::<ndarray::Ix4>()
        .map_err(|e| Error::Shape(format!("{name}: {e}")))?;
    let (n, h, w, c) = a.dim();
    if n == 0 || h == 0 || w == 0 || c == 0 {
        return Err(Error::Shape(format!(
            "{name}: images of shape {n}×{h}×{w}×{c} (n×h×w×c) have an empty axis"
        )));
    }
    if let Some((i, v)) = a.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::InFile {
            path: name,
            error: Box::new(Error::NonFinite {
                what: "images",
                index: i,
                value: *v,
            }),
        });
    }
    let images = Array4::from_shape_fn((n, c, h, w), |(i, ch, y, x)| {
        (a[[i, y, x, ch]] * scale) as f32
    });
    Ok(ImageSet {
        name,
        images,
        labels: vec![0; n],
        classes: 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Edge cases: wrong magic, element type, truncated header and data.
    #[test]
    fn corrupt_idx() {
        let p = Path::new("x");
        assert!(parse_idx(&[1, 0, 8, 1], p).is_err());
        assert!(
            parse_idx(&[0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0], p)
                .unwrap_err()
                .to_string()
                .contains("0x0d")
        );
        assert!(
            parse_idx(&[0, 0, 8, 2, 0, 0], p)
                .unwrap_err()
                .to_string()
                .contains("header")
        );
        assert!(
            parse_idx(&[0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3], p)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
    }

    #[test]
    fn digits_are_embedded() {
        let d = digits();
        assert_eq!(d.len(), 1797);
        assert!(d.images.iter().all(|&v| (0.0..=1.0).contains(&v)));
        assert_eq!(*d.labels.iter().max().unwrap(), 9);
    }
}
