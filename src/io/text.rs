//! Text output for hot loops: numbers appended to a byte buffer exactly as Rust's `Display`
//! writes them, without allocating and (for most floats) without the formatting machinery.

/// Appends `v` as `format!("{v}")` would.
///
/// ```
/// let mut b = Vec::new();
/// sednas::io::text::push_u64(&mut b, 1651);
/// assert_eq!(b, b"1651");
/// ```
#[inline]
pub fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Appends `v` exactly as `format!("{v}")` writes an `f64`: the shortest digits that read
/// back to `v`, in plain positional notation, `-0` for negative zero, `NaN`, `inf`, `-inf`.
///
/// The digits come from Ryū. Rust's formatter and Ryū pick the same shortest digits except
/// when `v` lies exactly halfway between two equally short candidates (Ryū rounds such a tie
/// to even, Rust up: −563192549209919.25 is …919.2 in Ryū and …919.3 in Rust). A tie means
/// 2|v| = (2D ± 1)·10^e exactly for Ryū's digits D·10^e; that is checked in exact integer
/// arithmetic and such values (and any value the check cannot decide) go through Rust's own
/// formatter.
///
/// ```
/// use sednas::io::text::push_f64;
/// for v in [0.0, -0.0, 1.0, 0.4999999812441376, 1e-7, 1e21, 123.456, -563192549209919.25, f64::MAX, f64::MIN_POSITIVE, f64::NAN, f64::NEG_INFINITY] {
///     let mut b = Vec::new();
///     push_f64(&mut b, v);
///     assert_eq!(String::from_utf8(b).unwrap(), format!("{v}"));
/// }
/// ```
pub fn push_f64(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() || !fast_f64(out, v) {
        use std::io::Write;
        // writing into a Vec cannot fail
        let _ = write!(out, "{v}");
    }
}

/// The Ryū path of [`push_f64`]; false (nothing written) when Rust's formatter must decide.
fn fast_f64(out: &mut Vec<u8>, v: f64) -> bool {
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(v).as_bytes();
    // Common case: Ryū wrote plain "d.ddd" (no exponent, not "x.0"), which is Display's text
    // unless v is a tie; a tie needs k + 1 = e (see may_be_tie) with e = −(digits after '.').
    if let Some(dot) = memchr::memchr(b'.', s)
        && !s.ends_with(b".0")
        && memchr::memchr(b'e', s).is_none()
        && odd_binary_exponent(v.abs()).is_none_or(|k| k + 1 != -((s.len() - dot - 1) as i32))
    {
        out.extend_from_slice(s);
        return true;
    }
    let (neg, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let (mant, exp) = match s.iter().position(|&b| b == b'e') {
        Some(e) => {
            let Some(x) = std::str::from_utf8(&s[e + 1..])
                .ok()
                .and_then(|t| t.parse::<i32>().ok())
            else {
                return false;
            };
            (&s[..e], x)
        }
        None => (s, 0),
    };
    // digits and the position of the decimal point among them
    let mut digits = [0u8; 32];
    let mut nd = 0usize;
    let mut point: Option<i32> = None;
    for &b in mant {
        if b == b'.' {
            point = Some(nd as i32);
        } else {
            if nd == digits.len() {
                return false;
            }
            digits[nd] = b;
            nd += 1;
        }
    }
    let mut point = point.unwrap_or(nd as i32) + exp;
    let mut lead = 0;
    while lead < nd && digits[lead] == b'0' {
        lead += 1;
        point -= 1;
    }
    while nd > lead && digits[nd - 1] == b'0' {
        nd -= 1;
    }
    let d = &digits[lead..nd];
    if d.is_empty() {
        if neg {
            out.push(b'-');
        }
        out.push(b'0');
        return true;
    }
    // value = D·10^e with D the digits as an integer
    let e = point - d.len() as i32;
    let mut big_d: u128 = 0;
    for &b in d {
        big_d = big_d * 10 + (b - b'0') as u128;
    }
    if may_be_tie(v.abs(), big_d, e) {
        return false;
    }
    if neg {
        out.push(b'-');
    }
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-point) as usize));
        out.extend_from_slice(d);
    } else if point as usize >= d.len() {
        out.extend_from_slice(d);
        out.extend(std::iter::repeat_n(b'0', point as usize - d.len()));
    } else {
        out.extend_from_slice(&d[..point as usize]);
        out.push(b'.');
        out.extend_from_slice(&d[point as usize..]);
    }
    true
}

/// Whether 2·a might equal (2D ± 1)·10^e exactly (a > 0 finite); true when undecidable here.
/// k with a = m·2^k, m odd (None for zero).
#[inline]
fn odd_binary_exponent(a: f64) -> Option<i32> {
    let bits = a.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, k) = if raw_exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), raw_exp - 1075)
    };
    (m != 0).then(|| k + m.trailing_zeros() as i32)
}

fn may_be_tie(a: f64, big_d: u128, e: i32) -> bool {
    // a = m·2^k with m odd
    let bits = a.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (mut m, mut k) = if raw_exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), raw_exp - 1075)
    };
    if m == 0 {
        return false;
    }
    let tz = m.trailing_zeros();
    m >>= tz;
    k += tz as i32;
    // 2·m·2^k = M·5^e·2^e with M = 2D ± 1 odd forces k + 1 = e
    if k + 1 != e {
        return false;
    }
    let Some(twice) = big_d.checked_mul(2) else {
        return true;
    };
    let candidates = [twice.checked_add(1), twice.checked_sub(1)];
    let p5 = |n: u32| 5u128.checked_pow(n);
    for c in candidates.into_iter().flatten() {
        let equal = if e >= 0 {
            // m = M·5^e
            match p5(e as u32).and_then(|p| c.checked_mul(p)) {
                Some(rhs) => rhs == m as u128,
                None => return true,
            }
        } else {
            // m·5^(−e) = M
            match p5((-e) as u32).and_then(|p| (m as u128).checked_mul(p)) {
                Some(lhs) => lhs == c,
                None => return true,
            }
        };
        if equal {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        // Any bit pattern: the same text as Display (ties included: see push_f64).
        #[test]
        fn f64_equals_display(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            let mut b = Vec::new();
            push_f64(&mut b, v);
            prop_assert_eq!(String::from_utf8(b).unwrap(), format!("{v}"));
        }

        // Values of the size SED and entropies take.
        #[test]
        fn f64_moderate_equals_display(v in -1e6f64..1e6) {
            let mut b = Vec::new();
            push_f64(&mut b, v);
            prop_assert_eq!(String::from_utf8(b).unwrap(), format!("{v}"));
        }

        // Values with few bits after the point, where ties between shortest candidates live.
        #[test]
        fn f64_dyadic_equals_display(m in any::<i64>(), k in -60i32..60) {
            let v = m as f64 * f64::powi(2.0, k);
            let mut b = Vec::new();
            push_f64(&mut b, v);
            prop_assert_eq!(String::from_utf8(b).unwrap(), format!("{v}"));
        }

        #[test]
        fn u64_equals_display(v in any::<u64>()) {
            let mut b = Vec::new();
            push_u64(&mut b, v);
            prop_assert_eq!(String::from_utf8(b).unwrap(), v.to_string());
        }
    }
}

#[cfg(test)]
mod soak {
    // `cargo test --release -- --ignored float_soak`: 20 M random and dyadic values.
    #[test]
    #[ignore]
    fn float_soak() {
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut b = Vec::new();
        for i in 0..20_000_000u64 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let v = if i % 2 == 0 {
                f64::from_bits(s)
            } else {
                (s as i64 >> (s % 40)) as f64 * f64::powi(2.0, (s % 97) as i32 - 60)
            };
            b.clear();
            super::push_f64(&mut b, v);
            assert_eq!(std::str::from_utf8(&b).unwrap(), format!("{v}"), "{v:e}");
        }
    }
}
