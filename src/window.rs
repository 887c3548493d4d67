//! Subtensors (sliding windows) as in Definition 3 of the SED paper.
//!
//! Maps are `h×w×c` arrays (row-major, channels last). A kernel is `k_w×k_h×k_c` with odd
//! sizes and a stride is `(s1, s2, s3)` along (w, h, c), the paper's order. Window `i` on an
//! axis is centred at `1 + (i−1)·s` (one-based), i.e. at `i·s` zero-based, and spans
//! `⌊k/2⌋` entries on each side. What happens where a window hangs over the edge is the
//! [`Border`] policy:
//!
//! | policy    | centres                     | population of an edge window                  |
//! |-----------|-----------------------------|-----------------------------------------------|
//! | `valid`   | `⌊k/2⌋ + i·s` (fully inside) | always `k_w·k_h·k_c`                          |
//! | `crop`    | `i·s`                       | only entries inside the map (scikit-image rank filters) |
//! | `zero`    | `i·s`                       | `k_w·k_h·k_c`, outside entries are 0           |
//! | `reflect` | `i·s`                       | `k_w·k_h·k_c`, outside entries mirrored without repeating the edge (numpy `reflect`) |
//!
//! `valid` moves the grid origin to the first centre whose window fits, as a convolution
//! without padding does; with stride 1 this is the usual valid region. `valid` and `crop`
//! windows are zero-copy views of the map; `zero` and `reflect` pad the map once.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array3, ArrayView3, CowArray, Ix3, s};

use crate::error::{Error, Result};

const AXES: [&str; 3] = ["w", "h", "c"];

/// Unchecked sizes as they arrive from a file; validated by `TryFrom` on deserialization.
#[derive(serde::Deserialize)]
struct RawSizes<const STRIDE: bool> {
    #[serde(alias = "kw", alias = "sw")]
    w: usize,
    #[serde(alias = "kh", alias = "sh")]
    h: usize,
    #[serde(alias = "kc", alias = "sc")]
    c: usize,
}

impl TryFrom<RawSizes<false>> for Kernel {
    type Error = Error;
    fn try_from(r: RawSizes<false>) -> Result<Self> {
        Kernel::new(r.w, r.h, r.c)
    }
}

impl TryFrom<RawSizes<true>> for Stride {
    type Error = Error;
    fn try_from(r: RawSizes<true>) -> Result<Self> {
        Stride::new(r.w, r.h, r.c)
    }
}

/// A validated kernel `k_w×k_h×k_c` with odd sizes ≥ 1 (deserialized through
/// [`Kernel::new`], so a file cannot smuggle in an even or oversized kernel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "RawSizes<false>")]
pub struct Kernel {
    kw: usize,
    kh: usize,
    kc: usize,
}

/// Most entries one window may have (2^24 = 16,777,216, e.g. 4095×4095×1): the H1 count
/// table and a padded map are sized by it, so a larger kernel is refused before anything
/// is allocated.
pub const MAX_KERNEL_ENTRIES: usize = 1 << 24;

impl Kernel {
    /// Checks that every size is odd (and hence ≥ 1) and that a window has at most
    /// [`MAX_KERNEL_ENTRIES`] entries.
    ///
    /// # Formula
    /// k odd ⇔ k mod 2 = 1; half-width r = ⌊k/2⌋; k_w·k_h·k_c ≤ 2^24
    ///
    /// # Errors
    /// [`Error::BadKernel`] naming the axis of an even (or zero) size;
    /// [`Error::KernelTooLarge`] for more than [`MAX_KERNEL_ENTRIES`] entries per window.
    ///
    /// ```
    /// use sednas::window::Kernel;
    /// assert_eq!(Kernel::new(3, 5, 1).unwrap().len(), 15);
    /// assert!(Kernel::new(2, 3, 1).is_err());
    /// assert!(Kernel::new(usize::MAX, 3, 1).is_err()); // odd, but 2^64 − 1 entries per row
    /// // files go through the same check
    /// assert!(serde_json::from_str::<Kernel>(r#"{"kw": 2, "kh": 3, "kc": 1}"#).is_err());
    /// assert_eq!(serde_json::from_str::<Kernel>(r#"{"kw": 5, "kh": 3, "kc": 1}"#).unwrap().len(), 15);
    /// ```
    pub fn new(kw: usize, kh: usize, kc: usize) -> Result<Self> {
        for (axis, size) in AXES.iter().zip([kw, kh, kc]) {
            if size % 2 == 0 {
                return Err(Error::BadKernel { axis, size });
            }
        }
        match kw.checked_mul(kh).and_then(|x| x.checked_mul(kc)) {
            Some(n) if n <= MAX_KERNEL_ENTRIES => Ok(Kernel { kw, kh, kc }),
            _ => Err(Error::KernelTooLarge {
                kw,
                kh,
                kc,
                limit: MAX_KERNEL_ENTRIES,
            }),
        }
    }

    /// A `k×k×1` kernel.
    ///
    /// # Errors
    /// As [`Kernel::new`].
    ///
    /// ```
    /// assert_eq!(sednas::window::Kernel::square(7).unwrap().len(), 49);
    /// ```
    pub fn square(k: usize) -> Result<Self> {
        Self::new(k, k, 1)
    }

    /// Width k_w.
    ///
    /// ```
    /// assert_eq!(sednas::window::Kernel::new(5, 3, 1).unwrap().kw(), 5);
    /// ```
    pub fn kw(&self) -> usize {
        self.kw
    }
    /// Height k_h.
    ///
    /// ```
    /// assert_eq!(sednas::window::Kernel::new(5, 3, 1).unwrap().kh(), 3);
    /// ```
    pub fn kh(&self) -> usize {
        self.kh
    }
    /// Channel depth k_c.
    ///
    /// ```
    /// assert_eq!(sednas::window::Kernel::new(5, 3, 1).unwrap().kc(), 1);
    /// ```
    pub fn kc(&self) -> usize {
        self.kc
    }

    /// Number of entries of a full window, k_w·k_h·k_c.
    ///
    /// ```
    /// assert_eq!(sednas::window::Kernel::new(3, 3, 3).unwrap().len(), 27);
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.kw * self.kh * self.kc
    }

    /// Sizes in (h, w, c) array order.
    ///
    /// ```
    /// assert_eq!(sednas::window::Kernel::new(5, 3, 1).unwrap().hwc(), [3, 5, 1]);
    /// ```
    pub fn hwc(&self) -> [usize; 3] {
        [self.kh, self.kw, self.kc]
    }
}

impl FromStr for Kernel {
    type Err = Error;
    /// Reads `WxH` or `WxHxC`, e.g. `3x3` or `3x3x2`.
    fn from_str(s: &str) -> Result<Self> {
        let v = parse_sizes(s, "kernel")?;
        Kernel::new(v[0], v[1], v[2])
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}x{}", self.kw, self.kh, self.kc)
    }
}

/// A validated stride `(s1, s2, s3)` along (w, h, c), each ≥ 1 (deserialized through
/// [`Stride::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "RawSizes<true>")]
pub struct Stride {
    sw: usize,
    sh: usize,
    sc: usize,
}

impl Stride {
    /// Checks that no stride is zero.
    ///
    /// # Errors
    /// [`Error::ZeroStride`] naming the axis of a zero stride.
    ///
    /// ```
    /// use sednas::window::Stride;
    /// assert!(Stride::new(1, 0, 1).is_err());
    /// assert_eq!(Stride::new(2, 1, 1).unwrap().sw(), 2);
    /// ```
    pub fn new(sw: usize, sh: usize, sc: usize) -> Result<Self> {
        for (axis, size) in AXES.iter().zip([sw, sh, sc]) {
            if size == 0 {
                return Err(Error::ZeroStride { axis });
            }
        }
        Ok(Stride { sw, sh, sc })
    }

    /// Stride 1 on every axis.
    ///
    /// ```
    /// assert_eq!(sednas::window::Stride::unit().hwc(), [1, 1, 1]);
    /// ```
    pub fn unit() -> Self {
        Stride {
            sw: 1,
            sh: 1,
            sc: 1,
        }
    }
    /// Stride s1 along w.
    ///
    /// ```
    /// assert_eq!(sednas::window::Stride::new(2, 3, 1).unwrap().sw(), 2);
    /// ```
    pub fn sw(&self) -> usize {
        self.sw
    }
    /// Stride s2 along h.
    ///
    /// ```
    /// assert_eq!(sednas::window::Stride::new(2, 3, 1).unwrap().sh(), 3);
    /// ```
    pub fn sh(&self) -> usize {
        self.sh
    }
    /// Stride s3 along c.
    ///
    /// ```
    /// assert_eq!(sednas::window::Stride::new(2, 3, 1).unwrap().sc(), 1);
    /// ```
    pub fn sc(&self) -> usize {
        self.sc
    }
    /// Strides in (h, w, c) array order.
    ///
    /// ```
    /// assert_eq!(sednas::window::Stride::new(2, 3, 1).unwrap().hwc(), [3, 2, 1]);
    /// ```
    pub fn hwc(&self) -> [usize; 3] {
        [self.sh, self.sw, self.sc]
    }
}

impl FromStr for Stride {
    type Err = Error;
    /// Reads `S1xS2` or `S1xS2xS3`, e.g. `1x1`.
    fn from_str(s: &str) -> Result<Self> {
        let v = parse_sizes(s, "stride")?;
        Stride::new(v[0], v[1], v[2])
    }
}

impl fmt::Display for Stride {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}x{}", self.sw, self.sh, self.sc)
    }
}

fn parse_sizes(s: &str, what: &'static str) -> Result<[usize; 3]> {
    let expected = "two or three positive integers joined by 'x', e.g. 3x3 or 3x3x2";
    let bad = || Error::BadSpec {
        what,
        text: s.to_string(),
        expected,
    };
    let parts: Vec<&str> = s.trim().split(['x', 'X', '×']).collect();
    if !(parts.len() == 2 || parts.len() == 3) {
        return Err(bad());
    }
    let mut v = [1usize; 3];
    for (i, p) in parts.iter().enumerate() {
        v[i] = p.trim().parse::<usize>().map_err(|_| bad())?;
    }
    Ok(v)
}

/// What to do with windows that hang over the edge of the map (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Border {
    /// Only windows fully inside the map; grid origin at ⌊k/2⌋.
    Valid,
    /// Windows clipped to the map: the population is the entries inside.
    Crop,
    /// Zero padding.
    Zero,
    /// Mirror padding without repeating the edge entry (numpy `reflect`).
    Reflect,
}

impl FromStr for Border {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "valid" => Ok(Border::Valid),
            "crop" => Ok(Border::Crop),
            "zero" => Ok(Border::Zero),
            "reflect" => Ok(Border::Reflect),
            _ => Err(Error::BadSpec {
                what: "border policy",
                text: s.to_string(),
                expected: "one of valid, crop, zero, reflect",
            }),
        }
    }
}

impl fmt::Display for Border {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Border::Valid => "valid",
            Border::Crop => "crop",
            Border::Zero => "zero",
            Border::Reflect => "reflect",
        })
    }
}

/// Kernel, stride and border policy together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WindowSpec {
    /// Window size.
    pub kernel: Kernel,
    /// Window step.
    pub stride: Stride,
    /// Edge policy.
    pub border: Border,
}

impl WindowSpec {
    /// Bundles already validated parts.
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
    /// assert_eq!(spec.kernel.len(), 9);
    /// ```
    pub fn new(kernel: Kernel, stride: Stride, border: Border) -> Self {
        WindowSpec {
            kernel,
            stride,
            border,
        }
    }
}

/// The windows of one axis: half-open ranges `[lo, hi)` in the coordinates of the source
/// (the map itself for `valid`/`crop`, the padded map for `zero`/`reflect`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisPlan {
    /// First source index of each window.
    pub lo: Vec<usize>,
    /// One past the last source index of each window.
    pub hi: Vec<usize>,
    /// Padding added before the map on this axis (0 for `valid`/`crop`).
    pub pad: usize,
}

impl AxisPlan {
    /// Plans the windows of an axis of length `len`.
    ///
    /// # Formula
    /// r = ⌊k/2⌋; centres c_i = i·s (crop/zero/reflect) or r + i·s (valid), c_i ≤ len − 1
    /// (valid: c_i + r ≤ len − 1); window = [c_i − r, c_i + r].
    ///
    /// # Errors
    /// [`Error::WindowLargerThanMap`] naming `axis` when, under `valid`, the kernel is
    /// longer than the axis.
    ///
    /// ```
    /// use sednas::window::{AxisPlan, Border};
    /// let p = AxisPlan::new(5, 3, 2, Border::Crop, "w").unwrap();
    /// assert_eq!((p.lo, p.hi), (vec![0, 1, 3], vec![2, 4, 5]));
    /// let v = AxisPlan::new(5, 3, 2, Border::Valid, "w").unwrap();
    /// assert_eq!((v.lo, v.hi), (vec![0, 2], vec![3, 5]));
    /// ```
    pub fn new(len: usize, k: usize, s: usize, border: Border, axis: &'static str) -> Result<Self> {
        let r = k / 2;
        let mut lo = Vec::new();
        let mut hi = Vec::new();
        let mut pad = 0;
        match border {
            Border::Valid => {
                if k > len {
                    return Err(Error::WindowLargerThanMap {
                        axis,
                        kernel: k,
                        len,
                    });
                }
                let mut c = r;
                while c + r < len {
                    lo.push(c - r);
                    hi.push(c + r + 1);
                    c += s;
                }
            }
            Border::Crop => {
                let mut c = 0;
                while c < len {
                    lo.push(c.saturating_sub(r));
                    hi.push((c + r + 1).min(len));
                    c += s;
                }
            }
            Border::Zero | Border::Reflect => {
                pad = r;
                let mut c = 0;
                while c < len {
                    lo.push(c);
                    hi.push(c + 2 * r + 1);
                    c += s;
                }
            }
        }
        Ok(AxisPlan { lo, hi, pad })
    }

    /// Number of windows on this axis.
    ///
    /// ```
    /// use sednas::window::{AxisPlan, Border};
    /// // centres 0, 2, 4, 6 on an axis of 7
    /// assert_eq!(AxisPlan::new(7, 3, 2, Border::Zero, "w").unwrap().len(), 4);
    /// // valid: centres 1, 3, 5
    /// assert_eq!(AxisPlan::new(7, 3, 2, Border::Valid, "w").unwrap().len(), 3);
    /// ```
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.lo.len()
    }
}

/// The windows of an `h×w×c` map under a [`WindowSpec`]: one [`AxisPlan`] per axis, in
/// (h, w, c) order. The one plan behind both a single map ([`Windows`], H1) and a batch of
/// maps (`n×h×w×c`, H2): a batch's windows are those of each of its maps, so H2 plans the
/// map shape `[h, w, c]` and never re-derives an axis.
///
/// # Axis order
/// Arrays are `h×w×c` (batches `n×h×w×c`), the public API's one order; kernels and strides
/// are *written* in the paper's (w, h, c) order (`3x5` is k_w = 3, k_h = 5) and read back in
/// array order by [`Kernel::hwc`] and [`Stride::hwc`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowPlan {
    map: [usize; 3],
    axes: [AxisPlan; 3],
    border: Border,
}

impl WindowPlan {
    /// Plans the windows of a map of shape `[h, w, c]` (each ≥ 1) under `spec`.
    ///
    /// # Errors
    /// [`Error::Empty`] for an empty axis; under `valid`, [`Error::WindowLargerThanMap`]
    /// naming the axis a kernel is larger than.
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::new(3, 5, 1).unwrap(), Stride::new(2, 1, 1).unwrap(), Border::Valid);
    /// let p = WindowPlan::new([7, 6, 2], &spec).unwrap();
    /// // h: k_h = 5 gives centres 2, 3, 4; w: k_w = 3, stride 2 gives 1, 3; c: 0, 1
    /// assert_eq!(p.shape(), [3, 2, 2]);
    /// assert_eq!(p.windows(), 12);
    /// assert!(WindowPlan::new([4, 6, 2], &spec).is_err()); // k_h = 5 > h = 4 under valid
    /// assert!(WindowPlan::new([0, 6, 2], &spec).is_err());
    /// ```
    pub fn new(map: [usize; 3], spec: &WindowSpec) -> Result<Self> {
        check_nonempty(&map, "map")?;
        let k = spec.kernel.hwc();
        let st = spec.stride.hwc();
        let names = ["h", "w", "c"];
        let axis = |a: usize| AxisPlan::new(map[a], k[a], st[a], spec.border, names[a]);
        Ok(WindowPlan {
            map,
            axes: [axis(0)?, axis(1)?, axis(2)?],
            border: spec.border,
        })
    }

    /// The map shape `[h, w, c]` the plan was made for.
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
    /// assert_eq!(WindowPlan::new([4, 5, 1], &spec).unwrap().map(), [4, 5, 1]);
    /// ```
    pub fn map(&self) -> [usize; 3] {
        self.map
    }

    /// The per-axis plans, (h, w, c).
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
    /// let [h, ..] = WindowPlan::new([4, 5, 1], &spec).unwrap().axes().clone();
    /// assert_eq!((h.lo, h.hi), (vec![0, 0, 1, 2], vec![2, 3, 4, 4]));
    /// ```
    pub fn axes(&self) -> &[AxisPlan; 3] {
        &self.axes
    }

    /// Windows along (h, w, c): the shape of a local-entropy map.
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::new(2, 2, 1).unwrap(), Border::Zero);
    /// assert_eq!(WindowPlan::new([5, 5, 3], &spec).unwrap().shape(), [3, 3, 3]);
    /// ```
    pub fn shape(&self) -> [usize; 3] {
        [self.axes[0].len(), self.axes[1].len(), self.axes[2].len()]
    }

    /// The number of windows (the product of [`WindowPlan::shape`]; it cannot overflow, as
    /// each factor is at most its axis length and the map exists).
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Valid);
    /// assert_eq!(WindowPlan::new([4, 5, 1], &spec).unwrap().windows(), 6);
    /// ```
    pub fn windows(&self) -> usize {
        self.shape().iter().product()
    }

    /// Padding before the map on each axis (⌊k/2⌋ under `zero`/`reflect`, else 0).
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::new(5, 3, 1).unwrap(), Stride::unit(), Border::Reflect);
    /// assert_eq!(WindowPlan::new([4, 6, 2], &spec).unwrap().pad(), [1, 2, 0]);
    /// ```
    pub fn pad(&self) -> [usize; 3] {
        [self.axes[0].pad, self.axes[1].pad, self.axes[2].pad]
    }

    /// Shape of the source the windows read: the map plus its padding on both sides.
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::new(5, 3, 1).unwrap(), Stride::unit(), Border::Zero);
    /// assert_eq!(WindowPlan::new([4, 6, 2], &spec).unwrap().padded(), [6, 10, 2]);
    /// ```
    pub fn padded(&self) -> [usize; 3] {
        let p = self.pad();
        [0, 1, 2].map(|a| self.map[a] + 2 * p[a])
    }

    /// The map index behind padded coordinate `p` on `axis` (0 = h, 1 = w, 2 = c): `None`
    /// for a zero-padded entry ([`source_index`] under the plan's border).
    ///
    /// ```
    /// use sednas::window::*;
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Reflect);
    /// let p = WindowPlan::new([3, 3, 1], &spec).unwrap();
    /// assert_eq!((0..5).map(|i| p.source(1, i).unwrap()).collect::<Vec<_>>(), [1, 0, 1, 2, 1]);
    /// ```
    pub fn source(&self, axis: usize, p: usize) -> Option<usize> {
        source_index(p, self.axes[axis].pad, self.map[axis], self.border)
    }
}

/// Index into a map of length `len` for padded coordinate `p` (padding `pad` before the map),
/// under `zero` (None outside) or `reflect` (mirrored, edge not repeated).
///
/// ```
/// use sednas::window::{source_index, Border};
/// // numpy.pad([a b c d], 2, 'reflect') = [c b | a b c d | c b]
/// let idx: Vec<_> = (0..8).map(|p| source_index(p, 2, 4, Border::Reflect).unwrap()).collect();
/// assert_eq!(idx, vec![2, 1, 0, 1, 2, 3, 2, 1]);
/// assert_eq!(source_index(0, 1, 4, Border::Zero), None);
/// ```
pub fn source_index(p: usize, pad: usize, len: usize, border: Border) -> Option<usize> {
    let x = p as isize - pad as isize;
    if (0..len as isize).contains(&x) {
        return Some(x as usize);
    }
    match border {
        Border::Reflect => {
            if len == 1 {
                return Some(0);
            }
            let period = 2 * (len as isize - 1);
            let m = x.rem_euclid(period);
            Some(if m < len as isize { m } else { period - m } as usize)
        }
        _ => None,
    }
}

/// Pads a map on each axis by the kernel's half-width under `zero` or `reflect`.
///
/// ```
/// use ndarray::array;
/// use sednas::window::{pad_map, Border};
/// let m = array![[[1.0], [2.0]]];
/// let p = pad_map(m.view(), [0, 1, 0], Border::Zero);
/// assert_eq!(p.shape(), &[1, 4, 1]);
/// ```
pub fn pad_map<T: Clone + Default>(
    map: ArrayView3<'_, T>,
    pad: [usize; 3],
    border: Border,
) -> Array3<T> {
    let (h, w, c) = map.dim();
    let shape = (h + 2 * pad[0], w + 2 * pad[1], c + 2 * pad[2]);
    Array3::from_shape_fn(shape, |(i, j, k)| {
        match (
            source_index(i, pad[0], h, border),
            source_index(j, pad[1], w, border),
            source_index(k, pad[2], c, border),
        ) {
            (Some(a), Some(b), Some(d)) => map[[a, b, d]].clone(),
            _ => T::default(),
        }
    })
}

/// Checks a map shape for emptiness.
pub(crate) fn check_nonempty(shape: &[usize], what: &'static str) -> Result<()> {
    if shape.contains(&0) {
        return Err(Error::Empty {
            what,
            shape: shape.to_vec(),
        });
    }
    Ok(())
}

/// The windows of one `h×w×c` map: a source array (borrowed or padded once) and the
/// per-axis plans. Windows are zero-copy views of the source.
#[derive(Debug)]
pub struct Windows<'a, T> {
    source: CowArray<'a, T, Ix3>,
    plan: WindowPlan,
}

impl<'a, T: Clone + Default> Windows<'a, T> {
    /// Plans the windows of `map` under `spec`.
    ///
    /// # Errors
    /// [`Error::Empty`] for a map with an empty axis; as [`WindowPlan::new`].
    ///
    /// ```
    /// use ndarray::Array3;
    /// use sednas::window::*;
    /// let map = Array3::<f64>::zeros((4, 5, 1));
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Valid);
    /// let w = Windows::new(map.view(), &spec).unwrap();
    /// assert_eq!(w.shape(), [2, 3, 1]);
    /// assert_eq!(w.window(0, 0, 0).shape(), &[3, 3, 1]);
    /// ```
    pub fn new(map: ArrayView3<'a, T>, spec: &WindowSpec) -> Result<Self> {
        check_nonempty(map.shape(), "map")?;
        let (h, w, c) = map.dim();
        let plan = WindowPlan::new([h, w, c], spec)?;
        let source = match spec.border {
            Border::Valid | Border::Crop => CowArray::from(map),
            Border::Zero | Border::Reflect => CowArray::from(pad_map(map, plan.pad(), spec.border)),
        };
        Ok(Windows { source, plan })
    }
}

impl<T> Windows<'_, T> {
    /// Number of windows along (h, w, c): the shape of a local-entropy map.
    ///
    /// ```
    /// use ndarray::Array3;
    /// use sednas::window::*;
    /// let map = Array3::<f64>::zeros((4, 5, 2));
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::new(2, 1, 1).unwrap(), Border::Crop);
    /// // h: centres 0, 1, 2, 3; w: 0, 2, 4; c: 0, 1
    /// assert_eq!(Windows::new(map.view(), &spec).unwrap().shape(), [4, 3, 2]);
    /// ```
    pub fn shape(&self) -> [usize; 3] {
        self.plan.shape()
    }

    /// The source the windows read from (the map, or its padded copy).
    ///
    /// Under `zero` the source is the map padded by ⌊k/2⌋ on every side; under `valid` and
    /// `crop` it is the map itself.
    ///
    /// ```
    /// use ndarray::Array3;
    /// use sednas::window::*;
    /// let map = Array3::<f64>::ones((2, 2, 1));
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Zero);
    /// let w = Windows::new(map.view(), &spec).unwrap();
    /// assert_eq!(w.source().shape(), &[4, 4, 1]);
    /// assert_eq!(w.source().sum(), 4.0);
    /// ```
    pub fn source(&self) -> ArrayView3<'_, T> {
        self.source.view()
    }

    /// The per-axis plans in (h, w, c) order.
    ///
    /// ```
    /// use ndarray::Array3;
    /// use sednas::window::*;
    /// let map = Array3::<f64>::zeros((4, 5, 1));
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Valid);
    /// let w = Windows::new(map.view(), &spec).unwrap();
    /// let [h, wd, c] = w.plans();
    /// assert_eq!((h.lo.as_slice(), wd.lo.as_slice(), c.lo.as_slice()), (&[0, 1][..], &[0, 1, 2][..], &[0][..]));
    /// assert_eq!(wd.hi, [3, 4, 5]);
    /// ```
    pub fn plans(&self) -> &[AxisPlan; 3] {
        self.plan.axes()
    }

    /// The window plan (shared with the batches of [`crate::entropy::local_h2`]).
    ///
    /// ```
    /// use ndarray::Array3;
    /// use sednas::window::*;
    /// let map = Array3::<f64>::zeros((4, 5, 1));
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Zero);
    /// let w = Windows::new(map.view(), &spec).unwrap();
    /// assert_eq!(w.plan(), &WindowPlan::new([4, 5, 1], &spec).unwrap());
    /// assert_eq!(w.plan().padded(), [6, 7, 1]); // 3×3×1: no padding along c
    /// ```
    pub fn plan(&self) -> &WindowPlan {
        &self.plan
    }

    /// Window (i, j, l) as a view: rows i along h, j along w, l along c.
    ///
    /// Panics if an index is out of [`Windows::shape`] (a programming error, not user input).
    ///
    /// ```
    /// use ndarray::Array3;
    /// use sednas::window::*;
    /// let map = Array3::from_shape_fn((4, 5, 1), |(i, j, _)| (10 * i + j) as f64);
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Valid);
    /// let w = Windows::new(map.view(), &spec).unwrap();
    /// let v = w.window(1, 2, 0);
    /// // rows 1..=3, columns 2..=4
    /// assert_eq!((v[[0, 0, 0]], v[[2, 2, 0]]), (12.0, 34.0));
    /// ```
    pub fn window(&self, i: usize, j: usize, l: usize) -> ArrayView3<'_, T> {
        let [ph, pw, pc] = self.plan.axes();
        self.source.slice(s![
            ph.lo[i]..ph.hi[i],
            pw.lo[j]..pw.hi[j],
            pc.lo[l]..pc.hi[l]
        ])
    }

    /// Every window in row-major (h, w, c) order, with its index.
    ///
    /// ```
    /// use ndarray::Array3;
    /// use sednas::window::*;
    /// let map = Array3::<f64>::zeros((4, 5, 1));
    /// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Valid);
    /// let w = Windows::new(map.view(), &spec).unwrap();
    /// let idx: Vec<[usize; 3]> = w.iter().map(|(i, _)| i).collect();
    /// assert_eq!(idx, [[0, 0, 0], [0, 1, 0], [0, 2, 0], [1, 0, 0], [1, 1, 0], [1, 2, 0]]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = ([usize; 3], ArrayView3<'_, T>)> + '_ {
        let [nh, nw, nc] = self.shape();
        (0..nh).flat_map(move |i| {
            (0..nw).flat_map(move |j| (0..nc).map(move |l| ([i, j, l], self.window(i, j, l))))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    // Edge case: an even kernel cannot be centred.
    #[test]
    fn even_kernel_is_typed_error() {
        assert!(matches!(
            Kernel::new(3, 4, 1),
            Err(Error::BadKernel { axis: "h", size: 4 })
        ));
        assert!(matches!(
            Kernel::new(0, 3, 1),
            Err(Error::BadKernel { axis: "w", size: 0 })
        ));
    }

    // Edge case: zero stride would loop forever.
    #[test]
    fn zero_stride_is_typed_error() {
        assert!(matches!(
            "1x0".parse::<Stride>(),
            Err(Error::ZeroStride { axis: "h" })
        ));
    }

    #[test]
    fn parse_specs() {
        let k: Kernel = "3x5".parse().unwrap();
        assert_eq!((k.kw(), k.kh(), k.kc()), (3, 5, 1));
        assert!("3".parse::<Kernel>().is_err());
        assert!("3x3x3x3".parse::<Kernel>().is_err());
        assert!("axb".parse::<Kernel>().is_err());
        assert!("diagonal".parse::<Border>().is_err());
    }

    // Edge case: a window larger than the map has no valid position.
    #[test]
    fn valid_window_larger_than_map() {
        let m = Array3::<f64>::zeros((2, 9, 1));
        let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Valid);
        assert!(matches!(
            Windows::new(m.view(), &spec),
            Err(Error::WindowLargerThanMap {
                axis: "h",
                kernel: 3,
                len: 2
            })
        ));
    }

    // Edge case: an empty map has no windows at all.
    #[test]
    fn empty_map_is_typed_error() {
        let m = Array3::<f64>::zeros((0, 4, 1));
        let spec = WindowSpec::new(Kernel::square(1).unwrap(), Stride::unit(), Border::Crop);
        assert!(matches!(
            Windows::new(m.view(), &spec),
            Err(Error::Empty { .. })
        ));
    }

    #[test]
    fn crop_windows_are_clipped_views() {
        let m = Array3::from_shape_fn((4, 4, 1), |(i, j, _)| (i * 4 + j) as f64);
        let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
        let w = Windows::new(m.view(), &spec).unwrap();
        assert_eq!(w.shape(), [4, 4, 1]);
        assert_eq!(w.window(0, 0, 0).shape(), &[2, 2, 1]);
        assert_eq!(w.window(1, 1, 0).shape(), &[3, 3, 1]);
        // zero-copy: the view points into the map
        assert_eq!(w.window(1, 1, 0).as_ptr(), m.as_ptr());
    }

    #[test]
    fn reflect_pads_like_numpy() {
        let m = Array3::from_shape_fn((1, 3, 1), |(_, j, _)| j as f64 + 1.0);
        let p = pad_map(m.view(), [0, 2, 0], Border::Reflect);
        let v: Vec<f64> = p.iter().copied().collect();
        assert_eq!(v, vec![3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]);
    }
}
