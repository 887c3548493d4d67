//! The exact and the binned H1 of every 3×3×1 `valid` window of an image (`sednas
//! measure`'s windows) by sorting, in place of the sliding histogram of
//! [`super::fused`]: each entry's key is (bin id, exact id) packed into a u32, the 9 keys of
//! a window are sorted by a branchless 25-comparator network (8 neighbouring windows at a
//! time, lanes of plain arrays the compiler vectorises), and the equalities of sorted
//! neighbours give the window's run structure: equal keys ⇔ equal values (an exact id
//! fixes the value and so its bin), equal high parts ⇔ equal bins (the keys sort by bin
//! first). The 8 equality bits of a window index a 256-entry table of H1 values, each
//! computed from the run lengths by the same fixed-point table and [`XlogxTable::entropy`]
//! as the histogram walk (Σ T[count] is exact integer arithmetic, so the order in which
//! counts are summed does not matter): bit for bit the values of [`super::local_h1`].

use crate::numerics::XlogxTable;
use crate::window::AxisPlan;

/// A 9-input sorting network of 25 comparators (depth 7; Floyd's, as listed by Knuth,
/// TAOCP vol. 3 §5.3.4), checked on all 2^9 0-1 inputs by the tests.
const NET: [(usize, usize); 25] = [
    (0, 3),
    (1, 7),
    (2, 5),
    (4, 8),
    (0, 7),
    (2, 4),
    (3, 8),
    (5, 6),
    (0, 2),
    (1, 3),
    (4, 5),
    (7, 8),
    (1, 4),
    (3, 6),
    (5, 7),
    (0, 1),
    (2, 4),
    (3, 5),
    (6, 8),
    (2, 3),
    (4, 5),
    (6, 7),
    (1, 2),
    (3, 4),
    (5, 6),
];

/// Windows sorted side by side.
const LANES: usize = 8;

/// H1 of 9 values by their equality pattern: bit k set ⇔ sorted values k and k + 1 are
/// equal.
pub(crate) struct Patterns([f64; 256]);

impl Patterns {
    /// The 256 H1 values, from `table` (that of `XlogxTable::new(9)`, as the walk's).
    pub(crate) fn new(table: &XlogxTable) -> Self {
        let mut h = [0.0; 256];
        for (m, v) in h.iter_mut().enumerate() {
            let (mut s, mut run) = (0i64, 1usize);
            for k in 0..8 {
                if m >> k & 1 == 1 {
                    run += 1;
                } else {
                    s += table.value(run);
                    run = 1;
                }
            }
            s += table.value(run);
            *v = table.entropy(s, 9);
        }
        Patterns(h)
    }
}

/// Whether the plan's windows are 3×3×1, stride 1, border `valid` (no padding): window
/// (i, j, l) covers rows i..i+3, columns j..j+3, channel l.
pub(crate) fn is_3x3x1_valid([ph, pw, pc]: [&AxisPlan; 3]) -> bool {
    let step = |p: &AxisPlan, k: usize| {
        p.pad == 0 && (0..p.len()).all(|i| p.lo[i] == i && p.hi[i] == i + k)
    };
    step(ph, 3) && step(pw, 3) && step(pc, 1)
}

/// The key of an entry: bin id above, exact id in the low `id_bits` bits; `None` if they do
/// not fit in 32 bits.
pub(crate) fn id_bits(levels: usize, bins: usize) -> Option<u32> {
    let bits = usize::BITS - levels.saturating_sub(1).leading_zeros();
    let top = u64::try_from(bins.saturating_sub(1)).ok()?;
    (bits < 32 && top < 1u64 << (32 - bits)).then_some(bits)
}

/// What the kernel sorts: one packed key per entry, or the value and bin keys apart.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keys<'a> {
    /// (bin id << `id_bits`) | exact id, one array: one sort gives both patterns (equal
    /// keys ⇔ equal values; equal high parts ⇔ equal bins, the keys sorting by bin first).
    Packed { keys: &'a [u32], id_bits: u32 },
    /// Value keys (equal ⇔ equal values, e.g. an f32's bits with −0 folded into +0) and
    /// bin ids in two arrays, each sorted on its own (`bins: None`: the second estimator is
    /// the exact one, `hb` = `hx`). No dense value ids are needed.
    Apart {
        values: &'a [u32],
        bins: Option<BinKeys<'a>>,
    },
}

/// Bin ids of an image, as bytes where there are at most 256 bins (sorted 32 windows at a
/// time) or as u32.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BinKeys<'a> {
    U8(&'a [u8]),
    U32(&'a [u32]),
}

/// The exact (`hx`) and binned (`hb`) H1 of every window of an h×w×c image whose keys
/// (row-major) are `keys`, windows in the walk's order ((i, j, l) row-major).
pub(crate) fn h1_3x3x1(
    keys: Keys<'_>,
    [h, w, c]: [usize; 3],
    pat: &Patterns,
    (hx, hb): (&mut [f64], &mut [f64]),
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, the feature `h1_avx2` is compiled for.
            return unsafe { h1_avx2(keys, [h, w, c], pat, (hx, hb)) };
        }
    }
    h1_lanes(keys, [h, w, c], pat, (hx, hb))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn h1_avx2(keys: Keys<'_>, shape: [usize; 3], pat: &Patterns, out: (&mut [f64], &mut [f64])) {
    h1_lanes(keys, shape, pat, out)
}

#[inline(always)]
fn h1_lanes(keys: Keys<'_>, shape: [usize; 3], pat: &Patterns, (hx, hb): (&mut [f64], &mut [f64])) {
    let [h, w, c] = shape;
    if h < 3 || w < 3 || c == 0 {
        return;
    }
    match keys {
        Keys::Packed { keys, id_bits } => packed_pass(keys, id_bits, shape, pat, (hx, hb)),
        Keys::Apart { values, bins } => {
            one_pass::<u32, LANES>(values, shape, pat, hx);
            match bins {
                Some(BinKeys::U8(b)) => one_pass::<u8, 32>(b, shape, pat, hb),
                Some(BinKeys::U32(b)) => one_pass::<u32, LANES>(b, shape, pat, hb),
                None => hb[..hx.len()].copy_from_slice(hx),
            }
        }
    }
}

/// Flat offsets of a 3×3×1 window's 9 entries from its first, in a w×c row layout.
#[inline(always)]
fn offsets(w: usize, c: usize) -> [usize; 9] {
    let row = w * c;
    [
        0,
        c,
        2 * c,
        row,
        row + c,
        row + 2 * c,
        2 * row,
        2 * row + c,
        2 * row + 2 * c,
    ]
}

/// The 9 keys of windows t..t + L of a row of `rl` windows starting at `src` (lanes past
/// the row's end repeat its last window): `v[k][q]` is entry k of window t + q.
#[inline(always)]
fn gather<T: Copy + Default, const L: usize>(
    src: &[T],
    t: usize,
    rl: usize,
    offs: &[usize; 9],
) -> [[T; L]; 9] {
    let mut v = [[T::default(); L]; 9];
    if t + L <= rl {
        for (vk, &d) in v.iter_mut().zip(offs.iter()) {
            vk.copy_from_slice(&src[t + d..t + d + L]);
        }
    } else {
        for (vk, &d) in v.iter_mut().zip(offs.iter()) {
            for (q, x) in vk.iter_mut().enumerate() {
                *x = src[(t + q).min(rl - 1) + d];
            }
        }
    }
    v
}

/// Both H1 values of every window from packed keys (one sort per window).
#[inline(always)]
fn packed_pass(
    keys: &[u32],
    id_bits: u32,
    [h, w, c]: [usize; 3],
    pat: &Patterns,
    (hx, hb): (&mut [f64], &mut [f64]),
) {
    let (row, rl, offs) = (w * c, (w - 2) * c, offsets(w, c));
    let keys = &keys[..h * row];
    for i in 0..h - 2 {
        let src = &keys[i * row..];
        let (ox, ob) = (&mut hx[i * rl..(i + 1) * rl], &mut hb[i * rl..(i + 1) * rl]);
        for t in (0..rl).step_by(LANES) {
            let mut v = gather::<u32, LANES>(src, t, rl, &offs);
            sort_lanes(&mut v);
            let (mut mx, mut mb) = ([0u32; LANES], [0u32; LANES]);
            for k in 0..8 {
                for q in 0..LANES {
                    let (x, y) = (v[k][q], v[k + 1][q]);
                    mx[q] |= ((x == y) as u32) << k;
                    mb[q] |= (((x >> id_bits) == (y >> id_bits)) as u32) << k;
                }
            }
            for q in 0..LANES.min(rl - t) {
                ox[t + q] = pat.0[mx[q] as usize];
                ob[t + q] = pat.0[mb[q] as usize];
            }
        }
    }
}

/// The H1 of every window from one array of keys (equal keys ⇔ equal values): the 9 keys
/// of `L` neighbouring windows sorted side by side, their equality pattern looked up.
#[inline(always)]
fn one_pass<T: Copy + Ord + Default, const L: usize>(
    keys: &[T],
    [h, w, c]: [usize; 3],
    pat: &Patterns,
    out: &mut [f64],
) {
    let (row, rl, offs) = (w * c, (w - 2) * c, offsets(w, c));
    let keys = &keys[..h * row];
    for i in 0..h - 2 {
        let src = &keys[i * row..];
        let o = &mut out[i * rl..(i + 1) * rl];
        let mut t = 0;
        while t < rl {
            let mut v = gather::<T, L>(src, t, rl, &offs);
            sort_lanes(&mut v);
            let mut m = [0u8; L];
            for k in 0..8 {
                for q in 0..L {
                    m[q] |= ((v[k][q] == v[k + 1][q]) as u8) << k;
                }
            }
            for q in 0..L.min(rl - t) {
                o[t + q] = pat.0[m[q] as usize];
            }
            t += L;
        }
    }
}

/// Sorts each lane's 9 keys (the network, in place; branchless min / max per lane).
#[inline(always)]
fn sort_lanes<T: Copy + Ord + Default, const L: usize>(v: &mut [[T; L]; 9]) {
    for &(a, b) in NET.iter() {
        let (x, y) = (v[a], v[b]);
        let mut lo = [T::default(); L];
        let mut hi = [T::default(); L];
        for q in 0..L {
            lo[q] = x[q].min(y[q]);
            hi[q] = x[q].max(y[q]);
        }
        v[a] = lo;
        v[b] = hi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The network sorts every 0-1 input, hence every input (the 0-1 principle).
    #[test]
    fn network_sorts_all_zero_one_inputs() {
        for bits in 0u32..512 {
            let mut v = [[0u32; LANES]; 9];
            for (k, vk) in v.iter_mut().enumerate() {
                vk[0] = bits >> k & 1;
            }
            for &(a, b) in NET.iter() {
                if v[a][0] > v[b][0] {
                    v.swap(a, b);
                }
            }
            assert!(v.windows(2).all(|p| p[0][0] <= p[1][0]), "{bits:09b}");
        }
    }

    #[test]
    fn id_bits_fit() {
        assert_eq!(id_bits(1, 16), Some(0));
        assert_eq!(id_bits(2, 16), Some(1));
        assert_eq!(id_bits(1 << 20, 16), Some(20));
        assert_eq!(id_bits((1 << 28) + 1, 16), None);
        assert_eq!(id_bits(1 << 28, 16), Some(28));
        assert_eq!(id_bits(1 << 28, 17), None);
    }
}
