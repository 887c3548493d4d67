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

/// The exact (`hx`) and binned (`hb`) H1 of every window of an h×w×c image whose packed
/// keys (row-major) are `keys`, windows in the walk's order ((i, j, l) row-major).
pub(crate) fn h1_3x3x1(
    keys: &[u32],
    [h, w, c]: [usize; 3],
    id_bits: u32,
    pat: &Patterns,
    (hx, hb): (&mut [f64], &mut [f64]),
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, the feature `h1_avx2` is compiled for.
            return unsafe { h1_avx2(keys, [h, w, c], id_bits, pat, (hx, hb)) };
        }
    }
    h1_lanes(keys, [h, w, c], id_bits, pat, (hx, hb))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn h1_avx2(
    keys: &[u32],
    shape: [usize; 3],
    id_bits: u32,
    pat: &Patterns,
    out: (&mut [f64], &mut [f64]),
) {
    h1_lanes(keys, shape, id_bits, pat, out)
}

#[inline(always)]
fn h1_lanes(
    keys: &[u32],
    [h, w, c]: [usize; 3],
    id_bits: u32,
    pat: &Patterns,
    (hx, hb): (&mut [f64], &mut [f64]),
) {
    if h < 3 || w < 3 || c == 0 {
        return;
    }
    let row = w * c;
    let rl = (w - 2) * c;
    let offs = [
        0,
        c,
        2 * c,
        row,
        row + c,
        row + 2 * c,
        2 * row,
        2 * row + c,
        2 * row + 2 * c,
    ];
    let keys = &keys[..h * row];
    for i in 0..h - 2 {
        let src = &keys[i * row..];
        let ox = &mut hx[i * rl..(i + 1) * rl];
        let ob = &mut hb[i * rl..(i + 1) * rl];
        let mut t = 0;
        while t + LANES <= rl {
            let mut v = [[0u32; LANES]; 9];
            for (vk, &o) in v.iter_mut().zip(offs.iter()) {
                vk.copy_from_slice(&src[t + o..t + o + LANES]);
            }
            let (mx, mb) = sorted_masks(v, id_bits);
            for q in 0..LANES {
                ox[t + q] = pat.0[mx[q] as usize];
                ob[t + q] = pat.0[mb[q] as usize];
            }
            t += LANES;
        }
        if t < rl {
            // the last < 8 windows of the row: lanes past the end repeat the last window
            let mut v = [[0u32; LANES]; 9];
            for (vk, &o) in v.iter_mut().zip(offs.iter()) {
                for (q, x) in vk.iter_mut().enumerate() {
                    *x = src[(t + q).min(rl - 1) + o];
                }
            }
            let (mx, mb) = sorted_masks(v, id_bits);
            for q in 0..rl - t {
                ox[t + q] = pat.0[mx[q] as usize];
                ob[t + q] = pat.0[mb[q] as usize];
            }
        }
    }
}

/// Sorts each lane's 9 keys and returns the exact and the bin equality patterns.
#[inline(always)]
fn sorted_masks(mut v: [[u32; LANES]; 9], id_bits: u32) -> ([u32; LANES], [u32; LANES]) {
    for &(a, b) in NET.iter() {
        let (x, y) = (v[a], v[b]);
        let mut lo = [0u32; LANES];
        let mut hi = [0u32; LANES];
        for q in 0..LANES {
            lo[q] = x[q].min(y[q]);
            hi[q] = x[q].max(y[q]);
        }
        v[a] = lo;
        v[b] = hi;
    }
    let mut mx = [0u32; LANES];
    let mut mb = [0u32; LANES];
    for k in 0..8 {
        for q in 0..LANES {
            let (x, y) = (v[k][q], v[k + 1][q]);
            mx[q] |= ((x == y) as u32) << k;
            mb[q] |= (((x >> id_bits) == (y >> id_bits)) as u32) << k;
        }
    }
    (mx, mb)
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
