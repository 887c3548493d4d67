//! The exact and the binned local H1 of a batch of maps in one window walk: what
//! [`super::profile::profile_map`] sums. Each window's two values are those of
//! [`super::local_h1`] with [`H1Estimator::Exact`] and with the binned estimator (the same
//! value ids up to a renaming, the same sliding histogram, the same exact fixed-point
//! sums), and the sums run in the same order (windows row-major, images in batch order), so
//! the figures are bit for bit those of two `local_h1` calls per image.
//!
//! The workspace ([`H1Pass`]) is reused across images and maps: after the first image of a
//! size nothing is allocated, and the window walk never allocates.

use ndarray::ArrayView3;
use rayon::prelude::*;

use super::h1::{PARALLEL_MIN_WORK, order_key};
use super::sort9::{self, Patterns};
use super::{Binning, H1Estimator, MapValue};
use crate::error::{Error, Result};
use crate::numerics::XlogxTable;
use crate::window::{AxisPlan, WindowPlan};

/// Running sums over windows of the two H1 estimators (see `profile_map`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct H1Sums {
    /// Σ exact H1.
    pub sx: f64,
    /// Σ binned H1.
    pub sb: f64,
    /// Windows with exact H1 = 0.
    pub nz: usize,
    /// Windows with exact H1 = log2 d (all values distinct).
    pub nd: usize,
    /// Windows.
    pub cnt: usize,
}

/// How the exact ids of an image are found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ExactIds<'a, T> {
    /// From the values (a hash table of the distinct values, or the u8 value itself).
    Own,
    /// `relu(prev)` where `prev` is the image the pass measured last: the ids of its
    /// positive values are kept and every other value becomes one id (ReLU maps them all
    /// to 0). Checked value by value; an image that is not `relu(prev)` is hashed itself.
    ReluOf(ArrayView3<'a, T>),
}

/// The reusable workspace of the fused walk.
#[derive(Debug, Default)]
pub(crate) struct H1Pass {
    /// Open-addressing table (key, id) of the image's distinct values; all-empty between
    /// images (the slots used are emptied through `used`).
    slots: Vec<(u64, u32)>,
    used: Vec<u32>,
    /// (exact id, bin id) of every entry of the image, row-major.
    ids: Vec<[u32; 2]>,
    /// Number of exact ids of the image, and the id of the value 0 (if it occurs).
    levels: usize,
    zero_id: Option<u32>,
    hist_x: Vec<u32>,
    hist_b: Vec<u32>,
    offs: Vec<usize>,
    /// Per-window H1 of the image (exact, binned), in window order.
    hx: Vec<f64>,
    hb: Vec<f64>,
    /// (bin id, exact id) of every entry packed for [`sort9`], row-major; or, on the key
    /// path (types with [`MapValue::key32`]), every entry's value key.
    keys: Vec<u32>,
    /// On the key path, every entry's bin id (row-major): as bytes where there are at most
    /// 256 bins, else as u32.
    bkeys: Vec<u32>,
    bkeys8: Vec<u8>,
}

/// Everything of a map that does not change from image to image.
pub(crate) struct H1Setup<'p> {
    pub plan: &'p WindowPlan,
    /// k_h·k_c (entries of one window column; sizes the parallel split as `local_h1` does).
    pub col: usize,
    pub table: &'p XlogxTable,
    /// log2 d: the exact H1 of a window whose d values are all distinct.
    pub full: f64,
    /// The estimator of the second figure (`binned:N` for `sednas measure`).
    pub second: H1Estimator,
    /// The H1 of 9 sorted values by equality pattern, where the windows are 3×3×1 `valid`
    /// (the sorting kernel of [`super::sort9`] then replaces the sliding histogram).
    pub sort9: Option<Patterns>,
}

impl H1Pass {
    /// Exact ids (and the bin range's data) of one image; the first non-finite value is an
    /// error naming its flat index, as `local_h1`'s check.
    fn exact_ids<T: MapValue>(
        &mut self,
        img: &ArrayView3<'_, T>,
        how: ExactIds<'_, T>,
    ) -> Result<(f64, f64)> {
        let n = img.len();
        if n > u32::MAX as usize {
            return Err(Error::TooLarge {
                what: "values of one map (exact H1)",
                requested: n as u128,
                limit: u32::MAX as u128,
            });
        }
        if self.ids.len() < n {
            self.ids.resize(n, [0, 0]);
        }
        if let ExactIds::ReluOf(prev) = how
            && T::LEVELS.is_none()
            && prev.dim() == img.dim()
            && let Some(r) = self.relu_ids(img, &prev)
        {
            return Ok(r);
        }
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        if let Some(levels) = T::LEVELS {
            for (index, (v, slot)) in img.iter().zip(self.ids.iter_mut()).enumerate() {
                let x = v.to_f64();
                if !x.is_finite() {
                    return Err(non_finite(index, x));
                }
                lo = lo.min(x);
                hi = hi.max(x);
                slot[0] = v.small_level().unwrap_or(0);
            }
            self.levels = levels;
            self.zero_id = None;
            return Ok((lo, hi));
        }
        // load ≤ 1/2, as `h1::exact_ids`
        let bits = (2 * n.max(1)).next_power_of_two().trailing_zeros().max(4);
        let mask = (1usize << bits) - 1;
        if self.slots.len() < mask + 1 {
            self.slots = vec![(0u64, 0u32); mask + 1];
        }
        let zero_key = order_key(0.0);
        let slots = &mut self.slots[..mask + 1];
        let mut next = 0u32;
        let mut zero_id = None;
        let mut failed = None;
        for (index, (v, slot)) in img.iter().zip(self.ids.iter_mut()).enumerate() {
            let x = v.to_f64();
            if !x.is_finite() {
                failed = Some(non_finite(index, x));
                break;
            }
            lo = lo.min(x);
            hi = hi.max(x);
            let k = order_key(x);
            let mut at = (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize;
            loop {
                let (sk, sid) = slots[at];
                if sk == k {
                    slot[0] = sid;
                    break;
                }
                if sk == 0 {
                    slots[at] = (k, next);
                    self.used.push(at as u32);
                    if k == zero_key {
                        zero_id = Some(next);
                    }
                    slot[0] = next;
                    next += 1;
                    break;
                }
                at = (at + 1) & mask;
            }
        }
        // empty the table for the next image
        for &at in &self.used {
            slots[at as usize] = (0, 0);
        }
        self.used.clear();
        if let Some(e) = failed {
            return Err(e);
        }
        self.levels = (next as usize).max(1);
        self.zero_id = zero_id;
        Ok((lo, hi))
    }

    /// The exact ids of `img` = relu(`prev`) from those of `prev` (still in `ids`), or
    /// `None` (ids untouched in column 0 only where it returns `Some`) if `img` is not
    /// exactly relu(`prev`): every positive value of `prev` kept bit for bit, every other
    /// one ±0.
    fn relu_ids<T: MapValue>(
        &mut self,
        img: &ArrayView3<'_, T>,
        prev: &ArrayView3<'_, T>,
    ) -> Option<(f64, f64)> {
        // the one id of every value ≤ 0 (they are all 0 after the ReLU)
        let z = self.zero_id.unwrap_or(self.levels as u32);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        // check first (ids stay those of `prev` if the check fails)
        for (v, p) in img.iter().zip(prev.iter()) {
            let (x, y) = (v.to_f64(), p.to_f64());
            let ok = if y > 0.0 {
                x.to_bits() == y.to_bits()
            } else {
                x == 0.0 && y.is_finite()
            };
            if !ok {
                return None;
            }
            lo = lo.min(x);
            hi = hi.max(x);
        }
        for (p, slot) in prev.iter().zip(self.ids.iter_mut()) {
            if p.to_f64() <= 0.0 {
                slot[0] = z;
            }
        }
        if self.zero_id.is_none() {
            self.levels += 1;
        }
        self.zero_id = Some(z);
        Some((lo, hi))
    }

    /// Bin ids of one image (column 1 of `ids`), as `h1::quantize`.
    fn bin_ids<T: MapValue>(
        &mut self,
        img: &ArrayView3<'_, T>,
        binning: Binning,
        range: (f64, f64),
    ) -> Result<usize> {
        let ids = &mut self.ids;
        bins_of(img.iter().copied(), binning, range, |k, b| ids[k][1] = b)
    }

    /// The key path of the sorting kernel, for value types with a 32-bit key (f32, u8):
    /// every entry's value key and bin id, no dense value ids (no hash table), each sorted
    /// apart (see [`sort9::Keys::Apart`]). Fails as [`H1Pass::image`].
    fn keys_3x3x1<T: MapValue>(
        &mut self,
        flat: &[T],
        dims: [usize; 3],
        setup: &H1Setup<'_>,
        pat: &Patterns,
        windows: usize,
    ) -> Result<()> {
        let n = flat.len();
        // the range and the finiteness check in one pass without an early exit, the keys in
        // another (both loops vectorise)
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut finite = true;
        for &v in flat {
            let x = v.to_f64();
            finite &= x.is_finite();
            lo = lo.min(x);
            hi = hi.max(x);
        }
        if !finite {
            let (index, x) = flat
                .iter()
                .map(|v| v.to_f64())
                .enumerate()
                .find(|(_, x)| !x.is_finite())
                .unwrap_or((0, f64::NAN));
            return Err(non_finite(index, x));
        }
        self.keys.clear();
        self.keys
            .extend(flat.iter().map(|v| v.key32().unwrap_or_default()));
        let bins = match setup.second {
            H1Estimator::Binned(b) if b.bins() <= 256 => {
                self.bkeys8.clear();
                self.bkeys8.resize(n, 0);
                let bk = &mut self.bkeys8;
                bins_of(flat.iter().copied(), b, (lo, hi), |k, id| bk[k] = id as u8)?;
                Some(sort9::BinKeys::U8(&self.bkeys8[..n]))
            }
            H1Estimator::Binned(b) => {
                self.bkeys.clear();
                self.bkeys.resize(n, 0);
                let bk = &mut self.bkeys;
                bins_of(flat.iter().copied(), b, (lo, hi), |k, id| bk[k] = id)?;
                Some(sort9::BinKeys::U32(&self.bkeys[..n]))
            }
            H1Estimator::Exact => None,
        };
        let keys = sort9::Keys::Apart {
            values: &self.keys[..n],
            bins,
        };
        let (hx, hb) = (&mut self.hx[..windows], &mut self.hb[..windows]);
        sort9::h1_3x3x1(keys, dims, pat, (hx, hb));
        Ok(())
    }
}

/// Bin ids of one image as `h1::quantize`, handed to `put(flat index, bin)`: `bins` equal
/// bins over the stated range (a value outside it is an error naming its index) or over
/// the data's range `(dlo, dhi)`. Returns the number of bins.
fn bins_of<T: MapValue>(
    values: impl Iterator<Item = T>,
    binning: Binning,
    (dlo, dhi): (f64, f64),
    mut put: impl FnMut(usize, u32),
) -> Result<usize> {
    let (lo, hi, bins, check) = match binning {
        Binning::Range { lo, hi, bins } => (lo, hi, bins, true),
        Binning::DataRange { bins } => (dlo, dhi, bins, false),
    };
    let width = hi - lo;
    let mut bad = None;
    for (index, v) in values.enumerate() {
        let x = v.to_f64();
        if check && !(lo..=hi).contains(&x) {
            bad = Some(Error::OutOfRange {
                value: x,
                index,
                lo,
                hi,
            });
            break;
        }
        let b = if width > 0.0 {
            ((x - lo) / width * bins as f64) as usize
        } else {
            0
        };
        put(index, b.min(bins - 1) as u32);
    }
    match bad {
        Some(e) => Err(e),
        None => Ok(bins),
    }
}

impl H1Pass {
    /// Measures one h×w×c image (of `setup.plan`'s shape) into `sums`. Fails where
    /// `local_h1` fails on the image (a non-finite value, a value outside a stated bin
    /// range; not necessarily with the same error: the caller recomputes the error by the
    /// reference path).
    pub(crate) fn image<T: MapValue>(
        &mut self,
        img: ArrayView3<'_, T>,
        how: ExactIds<'_, T>,
        setup: &H1Setup<'_>,
        sums: &mut H1Sums,
    ) -> Result<()> {
        if let Some(pat) = &setup.sort9
            && T::default().key32().is_some()
            && let Some(flat) = img.as_slice()
        {
            let windows = setup.plan.windows();
            self.window_buffers(windows);
            self.keys_3x3x1(flat, img.dim().into(), setup, pat, windows)?;
            self.add_sums(setup, windows, sums);
            return Ok(());
        }
        let range = self.exact_ids(&img, how)?;
        let bins = match setup.second {
            H1Estimator::Binned(b) => self.bin_ids(&img, b, range)?,
            H1Estimator::Exact => {
                for v in self.ids[..img.len()].iter_mut() {
                    v[1] = v[0];
                }
                self.levels
            }
        };
        let plan = setup.plan;
        let [ph, pw, pc] = plan.axes();
        let row_len = pw.len() * pc.len();
        let windows = plan.windows();
        if row_len == 0 || windows == 0 {
            return Ok(());
        }
        let (_, sw, sc) = img.dim();
        let levels = self.levels;
        if self.hist_x.len() < levels {
            self.hist_x.resize(levels, 0);
        }
        if self.hist_b.len() < bins {
            self.hist_b.resize(bins, 0);
        }
        self.window_buffers(windows);
        let ids = &self.ids[..img.len()];
        let table = setup.table;
        let (hx, hb) = (&mut self.hx[..windows], &mut self.hb[..windows]);
        let work = windows * setup.col * 2;
        if let Some(pat) = &setup.sort9
            && let Some(bits) = sort9::id_bits(levels, bins)
        {
            self.keys.clear();
            self.keys.extend(ids.iter().map(|&[x, b]| (b << bits) | x));
            let keys = sort9::Keys::Packed {
                keys: &self.keys,
                id_bits: bits,
            };
            sort9::h1_3x3x1(keys, [img.dim().0, sw, sc], pat, (hx, hb));
        } else if work < PARALLEL_MIN_WORK || rayon::current_num_threads() == 1 {
            let (hist_x, hist_b, offs) = (
                &mut self.hist_x[..levels],
                &mut self.hist_b[..bins],
                &mut self.offs,
            );
            for (i, (dx, db)) in hx
                .chunks_mut(row_len)
                .zip(hb.chunks_mut(row_len))
                .enumerate()
            {
                walk_row(
                    ids,
                    [ph, pw, pc],
                    [sw, sc],
                    table,
                    i,
                    (dx, db),
                    (hist_x, hist_b, offs),
                );
            }
        } else {
            let col = setup.col;
            hx.par_chunks_mut(row_len)
                .zip(hb.par_chunks_mut(row_len))
                .enumerate()
                .for_each_init(
                    || {
                        (
                            vec![0u32; levels],
                            vec![0u32; bins],
                            Vec::with_capacity(col),
                        )
                    },
                    |(hist_x, hist_b, offs), (i, (dx, db))| {
                        walk_row(
                            ids,
                            [ph, pw, pc],
                            [sw, sc],
                            table,
                            i,
                            (dx, db),
                            (&mut hist_x[..], &mut hist_b[..], offs),
                        )
                    },
                );
        }
        self.add_sums(setup, windows, sums);
        Ok(())
    }

    /// `hx` and `hb` hold at least `windows` values.
    fn window_buffers(&mut self, windows: usize) {
        if self.hx.len() < windows {
            self.hx.resize(windows, 0.0);
            self.hb.resize(windows, 0.0);
        }
    }

    /// Adds the image's per-window H1 (the first `windows` of `hx`, `hb`) to `sums`, in
    /// window order.
    fn add_sums(&self, setup: &H1Setup<'_>, windows: usize, s: &mut H1Sums) {
        let full = setup.full;
        for (&x, &b) in self.hx[..windows].iter().zip(&self.hb[..windows]) {
            s.sx += x;
            s.sb += b;
            s.nz += (x == 0.0) as usize;
            s.nd += ((x - full).abs() < 1e-12) as usize;
            s.cnt += 1;
        }
    }
}

fn non_finite(index: usize, value: f64) -> Error {
    Error::NonFinite {
        what: "map",
        index,
        value,
    }
}

/// One row of windows (fixed i), both estimators: `local_h1`'s sliding histogram, run on
/// the exact and the bin ids side by side. The histograms are empty on entry and on exit.
#[inline]
fn walk_row(
    ids: &[[u32; 2]],
    [ph, pw, pc]: [&AxisPlan; 3],
    [sw, sc]: [usize; 2],
    table: &XlogxTable,
    i: usize,
    (dx, db): (&mut [f64], &mut [f64]),
    (hist_x, hist_b, offs): (&mut [u32], &mut [u32], &mut Vec<usize>),
) {
    // slices, not the Vecs: their lengths stay in registers across the updates
    let (h0, h1) = (ph.lo[i], ph.hi[i]);
    let nl = pc.len();
    for l in 0..nl {
        let (c0, c1) = (pc.lo[l], pc.hi[l]);
        offs.clear();
        for y in h0..h1 {
            offs.extend((c0..c1).map(|c| y * sw * sc + c));
        }
        let col_len = offs.len();
        let (mut s_x, mut s_b) = (0i64, 0i64);
        let mut n: usize = 0;
        let (mut cur0, mut cur1) = (0usize, 0usize);
        for j in 0..pw.len() {
            let (w0, w1) = (pw.lo[j], pw.hi[j]);
            for x in cur0..cur1.min(w0) {
                let col = &ids[x * sc..];
                for &o in offs.iter() {
                    let [a, b] = col[o];
                    let c = hist_x[a as usize] - 1;
                    s_x -= table.inc(c as usize);
                    hist_x[a as usize] = c;
                    let c = hist_b[b as usize] - 1;
                    s_b -= table.inc(c as usize);
                    hist_b[b as usize] = c;
                }
                n -= col_len;
            }
            for x in cur1.max(w0)..w1 {
                let col = &ids[x * sc..];
                for &o in offs.iter() {
                    let [a, b] = col[o];
                    let c = hist_x[a as usize];
                    s_x += table.inc(c as usize);
                    hist_x[a as usize] = c + 1;
                    let c = hist_b[b as usize];
                    s_b += table.inc(c as usize);
                    hist_b[b as usize] = c + 1;
                }
                n += col_len;
            }
            cur0 = w0;
            cur1 = w1;
            dx[j * nl + l] = table.entropy(s_x, n);
            db[j * nl + l] = table.entropy(s_b, n);
        }
        // exact resync: empty both histograms before the next channel / row
        for x in cur0..cur1 {
            let col = &ids[x * sc..];
            for &o in offs.iter() {
                let [a, b] = col[o];
                hist_x[a as usize] = 0;
                hist_b[b as usize] = 0;
            }
        }
    }
}

impl H1Pass {
    /// Frees the workspace if it has grown past 64 MiB (a large map measured once should
    /// not stay resident in the thread).
    pub(crate) fn trim(&mut self) {
        let bytes = self.slots.capacity() * 16
            + self.used.capacity() * 4
            + self.ids.capacity() * 8
            + (self.hist_x.capacity() + self.hist_b.capacity()) * 4
            + (self.hx.capacity() + self.hb.capacity()) * 8
            + (self.keys.capacity() + self.bkeys.capacity()) * 4
            + self.bkeys8.capacity();
        if bytes > 64 << 20 {
            *self = H1Pass::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;
    use crate::entropy::{Binning, local_h1};
    use crate::window::{Border, Kernel, Stride, WindowSpec};

    /// Measures `img` (after `prev`, whose relu it may be) with the sorting kernel and
    /// compares every window's exact and second H1 with `local_h1`, bit for bit.
    fn check<T: MapValue>(
        img: ArrayView3<'_, T>,
        prev: Option<ArrayView3<'_, T>>,
        second: H1Estimator,
    ) {
        let spec = WindowSpec::new(Kernel::new(3, 3, 1).unwrap(), Stride::unit(), Border::Valid);
        let (h, w, c) = img.dim();
        let plan = WindowPlan::new([h, w, c], &spec).unwrap();
        let table = XlogxTable::new(9);
        let setup = H1Setup {
            plan: &plan,
            col: 3,
            table: &table,
            full: 9f64.log2(),
            second,
            sort9: sort9::is_3x3x1_valid(plan.axes().each_ref()).then(|| Patterns::new(&table)),
        };
        assert!(setup.sort9.is_some());
        let mut pass = H1Pass::default();
        let mut sums = H1Sums::default();
        let how = match prev {
            Some(p) => {
                pass.image(p, ExactIds::Own, &setup, &mut sums).unwrap();
                ExactIds::ReluOf(p)
            }
            None => ExactIds::Own,
        };
        pass.image(img, how, &setup, &mut sums).unwrap();
        // the sorting kernel ran on this image
        assert_eq!(pass.keys.len(), img.len());
        let n = plan.windows();
        let ex = local_h1(img, &spec, &H1Estimator::Exact).unwrap();
        let se = local_h1(img, &spec, &second).unwrap();
        for (k, (a, b)) in ex.iter().zip(&pass.hx[..n]).enumerate() {
            assert_eq!(a.to_bits(), b.to_bits(), "exact, window {k}: {a} vs {b}");
        }
        for (k, (a, b)) in se.iter().zip(&pass.hb[..n]).enumerate() {
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "{second:?}, window {k}: {a} vs {b}"
            );
        }
    }

    /// An h×w×c map: `levels` integer levels around 0 (0: continuous values), zeros of
    /// either sign; with `dup`, a fraction of the entries replaced by a few repeated values.
    fn map(h: usize, w: usize, c: usize, levels: u32, dup: f64, seed: u64) -> Array3<f64> {
        let mut r = crate::rng::SplitMix64::new(seed);
        Array3::from_shape_simple_fn((h, w, c), || {
            let mut x = if levels == 0 {
                r.unit() * 4.0 - 2.0
            } else {
                (r.unit() * levels as f64).floor() - (levels / 2) as f64
            };
            if r.unit() < dup {
                x = [0.0, 0.5, -1.25][(r.unit() * 3.0) as usize % 3];
            }
            if x == 0.0 && r.unit() < 0.5 { -0.0 } else { x }
        })
    }

    fn all_types(pre: &Array3<f64>, second: H1Estimator) {
        let relu = pre.mapv(|x| if x >= 0.0 { x } else { 0.0 });
        check(pre.view(), None, second);
        check(relu.view(), Some(pre.view()), second);
        let (p32, r32) = (pre.mapv(|x| x as f32), relu.mapv(|x| x as f32));
        check(p32.view(), None, second);
        check(r32.view(), Some(p32.view()), second);
        // (u8 values leave a stated range of the f64 maps')
        if !matches!(second, H1Estimator::Binned(Binning::Range { .. })) {
            let p8 = pre.mapv(|x| (x * 37.0).abs().min(255.0) as u8);
            check(p8.view(), None, second);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]
        // The sorting kernel (3×3×1 valid windows) gives local_h1's exact and binned H1
        // bit for bit in every window: continuous maps, few levels (ties), constants, maps
        // with many equal values, ±0, rows shorter and longer than the 8 lanes, f64 / f32 /
        // u8, relu maps with derived ids, binned over the data range, a stated range, exact.
        #[test]
        fn sort9_is_bit_identical_to_local_h1(
            (h, w, c) in (3usize..12, 3usize..12, 1usize..12),
            levels in 0u32..8,
            dup in 0usize..4,
            seed in proptest::prelude::any::<u64>(),
            est in 0usize..3,
            bins in 1usize..40,
        ) {
            let second = match est {
                0 => H1Estimator::Exact,
                1 => H1Estimator::Binned(Binning::data_range(bins).unwrap()),
                _ => H1Estimator::Binned(Binning::range(-3.5, 3.25, bins).unwrap()),
            };
            let pre = map(h, w, c, levels, dup as f64 * 0.3, seed);
            all_types(&pre, second);
        }
    }

    // Constant maps (one value, all zeros of mixed sign) and `sednas measure`'s own setting;
    // 256 bins (the last count whose ids the key path holds as bytes) and 300 (held as u32).
    #[test]
    fn sort9_edge_maps() {
        let b16 = H1Estimator::Binned(Binning::data_range(16).unwrap());
        for bins in [256, 257, 300] {
            let b = H1Estimator::Binned(Binning::data_range(bins).unwrap());
            all_types(&map(20, 21, 3, 0, 0.1, bins as u64), b);
        }
        for m in [
            Array3::from_elem((5, 9, 3), 1.5),
            Array3::from_shape_fn(
                (4, 4, 17),
                |(i, j, k)| if (i + j + k) % 2 == 0 { 0.0 } else { -0.0 },
            ),
            map(32, 32, 8, 0, 0.0, 7),
            map(16, 16, 16, 3, 0.5, 8),
        ] {
            all_types(&m, b16);
            all_types(&m, H1Estimator::Exact);
        }
    }
}
