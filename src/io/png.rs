//! PNG input (8-bit after expansion) and heatmap output.

use ndarray::{Array3, ArrayView3};

use crate::error::{Error, Result};

/// What to do with a PNG's alpha channel. Transparency is not intensity, and a map with it
/// as an extra channel has different local entropies (windows with k_c > 1 include it), so
/// the choice is the caller's: [`AlphaPolicy::Refuse`] (the default of [`decode_png`] and
/// `sednas entropy`) names the choice in its error.
///
/// ```
/// use sednas::io::png::AlphaPolicy;
/// assert_eq!(AlphaPolicy::default(), AlphaPolicy::Refuse);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum AlphaPolicy {
    /// An image with an alpha channel is an error that names `--alpha keep|drop`.
    #[default]
    Refuse,
    /// Keep alpha as the last channel (c = 2 grey+alpha, 4 RGBA).
    Keep,
    /// Drop alpha (c = 1 grey, 3 RGB): the colour values as stored, not composited.
    Drop,
}

/// Decodes PNG bytes into an `h×w×c` u8 array (c = 1 grey, 3 RGB); an image with an alpha
/// channel is refused ([`AlphaPolicy::Refuse`]; see [`decode_png_alpha`] to keep or drop it).
/// Palettes and bit depths below 8 are expanded. 16-bit images are refused (keeping their
/// high byte would silently merge 256 levels into one and change every exact H1); convert
/// them to 8 bits or to a float `.npy`.
///
/// # Errors
/// [`Error::Png`] for bytes that are not an 8-bit PNG (or carry an alpha channel);
/// [`Error::TooLarge`] for an image past the decode limit, refused from the header.
///
/// ```
/// let bytes = sednas::io::png::encode_rgb(2, 1, &[255, 0, 0, 0, 255, 0]).unwrap();
/// let img = sednas::io::png::decode_png(&bytes, "mem").unwrap();
/// assert_eq!(img.dim(), (1, 2, 3));
/// assert!(sednas::io::png::decode_png(&bytes[..20], "mem").is_err());
/// ```
pub fn decode_png(bytes: &[u8], name: &str) -> Result<Array3<u8>> {
    decode_png_alpha(bytes, name, AlphaPolicy::Refuse)
}

/// The most bytes a decoded PNG may take (1 GiB: a 16384×16384 RGBA image); a header that
/// claims more is refused before anything is allocated.
pub const MAX_PNG_BYTES: usize = 1 << 30;

/// The most pixels a heatmap may have (2^28, 768 MiB of RGB); larger maps × scales are
/// refused before allocating.
pub const MAX_HEATMAP_PIXELS: usize = 1 << 28;

/// [`decode_png`] with an explicit [`AlphaPolicy`] for images that have an alpha channel
/// (images without one decode the same under every policy).
///
/// # Errors
/// As [`decode_png`], with the alpha channel handled by `alpha`.
///
/// ```
/// use sednas::io::png::{AlphaPolicy, decode_png_alpha, encode_rgb};
/// let bytes = encode_rgb(2, 1, &[255, 0, 0, 0, 255, 0]).unwrap();
/// let img = decode_png_alpha(&bytes, "mem", AlphaPolicy::Drop).unwrap();
/// assert_eq!(img.dim(), (1, 2, 3));
/// ```
pub fn decode_png_alpha(bytes: &[u8], name: &str, alpha: AlphaPolicy) -> Result<Array3<u8>> {
    let err = |reason: String| Error::Png {
        path: name.to_string(),
        reason,
    };
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| err(e.to_string()))?;
    if reader.info().bit_depth == png::BitDepth::Sixteen {
        return Err(err(
            "16-bit samples: sednas reads 8-bit PNGs (dropping the low byte would change the \
             entropy); convert the image to 8 bits or to a float .npy"
                .into(),
        ));
    }
    // the header's size is refused before the frame buffer is allocated
    let (w, h) = (reader.info().width, reader.info().height);
    let need = reader.output_buffer_size() as u128;
    if need > MAX_PNG_BYTES as u128 {
        return Err(Error::TooLarge {
            what: "decoded PNG bytes (the header's width × height × channels)",
            requested: need.max(w as u128 * h as u128),
            limit: MAX_PNG_BYTES as u128,
        });
    }
    let mut buf = vec![0u8; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut buf)
        .map_err(|e| err(e.to_string()))?;
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(err("palette was not expanded".into())),
    };
    let has_alpha = channels % 2 == 0;
    let keep = match (has_alpha, alpha) {
        (false, _) | (true, AlphaPolicy::Keep) => channels,
        (true, AlphaPolicy::Drop) => channels - 1,
        (true, AlphaPolicy::Refuse) => {
            return Err(err(format!(
                "the image has an alpha channel ({} channels): choose --alpha keep (alpha as \
                 the last channel) or --alpha drop",
                channels
            )));
        }
    };
    let (h, w) = (info.height as usize, info.width as usize);
    let line = info.line_size;
    let mut out = Vec::with_capacity(h * w * keep);
    for row in buf[..info.buffer_size()].chunks(line).take(h) {
        for px in row[..w * channels].chunks(channels) {
            out.extend_from_slice(&px[..keep]);
        }
    }
    Array3::from_shape_vec((h, w, keep), out).map_err(|e| err(e.to_string()))
}

/// Reads a PNG file into an `h×w×c` u8 array.
///
/// # Errors
/// [`Error::Io`] / [`Error::NotAFile`] for a path that cannot be read; as [`decode_png`].
///
/// ```
/// use sednas::io::png::{encode_rgb, read_png};
/// let path = std::env::temp_dir().join(format!("sednas-doc-read-{}.png", std::process::id()));
/// std::fs::write(&path, encode_rgb(2, 1, &[255, 0, 0, 0, 0, 255]).unwrap()).unwrap();
/// let img = read_png(&path).unwrap();
/// assert_eq!(img.iter().copied().collect::<Vec<u8>>(), [255, 0, 0, 0, 0, 255]);
/// std::fs::remove_file(&path).unwrap();
/// assert!(matches!(read_png(&path), Err(sednas::error::Error::Io { .. })));
/// ```
pub fn read_png(path: &std::path::Path) -> Result<Array3<u8>> {
    read_png_alpha(path, AlphaPolicy::Refuse)
}

/// [`read_png`] with an explicit [`AlphaPolicy`].
///
/// # Errors
/// As [`read_png`] and [`decode_png_alpha`].
///
/// ```
/// use sednas::io::png::{AlphaPolicy, encode_rgb, read_png_alpha};
/// let path = std::env::temp_dir().join(format!("sednas-doc-alpha-{}.png", std::process::id()));
/// std::fs::write(&path, encode_rgb(1, 1, &[1, 2, 3]).unwrap()).unwrap();
/// assert_eq!(read_png_alpha(&path, AlphaPolicy::Keep).unwrap().dim(), (1, 1, 3));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn read_png_alpha(path: &std::path::Path, alpha: AlphaPolicy) -> Result<Array3<u8>> {
    let bytes = crate::io::bounded::read(path, crate::io::bounded::BINARY)?;
    decode_png_alpha(&bytes, &path.display().to_string(), alpha)
}

/// Encodes 8-bit RGB pixels (row-major, 3 bytes each) as PNG.
///
/// # Errors
/// [`Error::Shape`] when `rgb` does not hold width × height × 3 bytes; [`Error::Png`] for
/// an encoder failure.
///
/// ```
/// use sednas::io::png::{decode_png, encode_rgb};
/// let bytes = encode_rgb(1, 2, &[10, 20, 30, 40, 50, 60]).unwrap();
/// assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
/// let img = decode_png(&bytes, "mem").unwrap();
/// assert_eq!((img.dim(), img[[1, 0, 2]]), ((2, 1, 3), 60));
/// assert!(encode_rgb(2, 2, &[0; 6]).is_err()); // 4 pixels need 12 bytes
/// ```
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(|e| Error::Png {
            path: "<encoder>".into(),
            reason: e.to_string(),
        })?;
        w.write_image_data(rgb).map_err(|e| Error::Png {
            path: "<encoder>".into(),
            reason: e.to_string(),
        })?;
    }
    Ok(out)
}

/// Viridis colour map, 9 anchors, linear in between; t in [0, 1].
///
/// # Formula
/// x = 8t, i = min(⌊x⌋, 7), f = x − i: round(A_i·(1 − f) + A_{i+1}·f) per channel.
///
/// ```
/// use sednas::io::png::viridis;
/// assert_eq!(viridis(0.0), [68, 1, 84]);
/// assert_eq!(viridis(0.5), [38, 130, 142]);
/// assert_eq!(viridis(1.0), [253, 231, 37]);
/// // halfway between the first two anchors: (70, 20.5, 102), rounded half away from zero
/// assert_eq!(viridis(1.0 / 16.0), [70, 21, 102]);
/// assert_eq!(viridis(f64::NAN), [68, 1, 84]);
/// ```
pub fn viridis(t: f64) -> [u8; 3] {
    const A: [[f64; 3]; 9] = [
        [68.0, 1.0, 84.0],
        [72.0, 40.0, 120.0],
        [62.0, 74.0, 137.0],
        [49.0, 104.0, 142.0],
        [38.0, 130.0, 142.0],
        [31.0, 158.0, 137.0],
        [53.0, 183.0, 121.0],
        [110.0, 206.0, 88.0],
        [253.0, 231.0, 37.0],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 8.0;
    let i = (x.floor() as usize).min(7);
    let f = x - i as f64;
    let mut c = [0u8; 3];
    for k in 0..3 {
        c[k] = (A[i][k] * (1.0 - f) + A[i + 1][k] * f).round() as u8;
    }
    c
}

/// Renders an `h×w×c` map as bare heatmap pixels (PNG): channels side by side (one-pixel
/// gap), each pixel scaled `scale`× , viridis over the finite range, −∞ drawn black. No
/// axes, scale or caption: the figures sednas writes (`entropy --heatmap`, `fmap-entropy
/// --heatmaps`, the nb201-fashion heatmaps) are drawn by [`crate::plot::heatmap_png`], with
/// pixel axes, a colour bar in bits and a caption.
///
/// # Errors
/// [`Error::Empty`] for an empty map; [`Error::TooLarge`] for a map × scale past 2^28
/// pixels (refused before allocating).
///
/// ```
/// let m = ndarray::Array3::from_shape_fn((2, 2, 1), |(i, j, _)| (i + j) as f64);
/// let png = sednas::io::png::heatmap_png(m.view(), 2).unwrap();
/// assert_eq!(sednas::io::png::decode_png(&png, "mem").unwrap().dim(), (4, 4, 3));
/// // a scale that would make a heatmap past 2^28 pixels is refused before allocating
/// assert!(matches!(
///     sednas::io::png::heatmap_png(m.view(), 1 << 20),
///     Err(sednas::error::Error::TooLarge { .. })
/// ));
/// assert!(sednas::io::png::heatmap_png(m.view(), usize::MAX).is_err());
/// ```
pub fn heatmap_png(map: ArrayView3<'_, f64>, scale: usize) -> Result<Vec<u8>> {
    let (h, w, c) = map.dim();
    if h == 0 || w == 0 || c == 0 {
        return Err(Error::Empty {
            what: "heatmap",
            shape: vec![h, w, c],
        });
    }
    let scale = scale.max(1);
    let (lo, hi) = map
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    // width c·w·scale + (c − 1) and height h·scale, counted in u128 and refused past the limit
    let (tw128, th128) = (
        (c as u128)
            .saturating_mul(w as u128)
            .saturating_mul(scale as u128)
            .saturating_add(c as u128 - 1),
        (h as u128).saturating_mul(scale as u128),
    );
    let pixels = tw128.saturating_mul(th128);
    if pixels > MAX_HEATMAP_PIXELS as u128 {
        return Err(Error::TooLarge {
            what: "heatmap pixels (map size × scale²)",
            requested: pixels,
            limit: MAX_HEATMAP_PIXELS as u128,
        });
    }
    let (tw, th) = (tw128 as usize, th128 as usize);
    let mut rgb = vec![255u8; tw * th * 3];
    for ch in 0..c {
        for i in 0..h {
            for j in 0..w {
                let v = map[[i, j, ch]];
                let col = if v.is_finite() {
                    viridis((v - lo) / span)
                } else {
                    [0, 0, 0]
                };
                for di in 0..scale {
                    for dj in 0..scale {
                        let x = ch * (w * scale + 1) + j * scale + dj;
                        let y = i * scale + di;
                        rgb[(y * tw + x) * 3..(y * tw + x) * 3 + 3].copy_from_slice(&col);
                    }
                }
            }
        }
    }
    encode_rgb(tw as u32, th as u32, &rgb)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in bytes {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    // Edge case: a header claiming 100000×100000 RGB (30 GB decoded), with a real IDAT
    // chunk after it, is refused as too large before the frame buffer is allocated.
    #[test]
    fn huge_header_is_refused_before_allocating() {
        let mut png = encode_rgb(1, 1, &[1, 2, 3]).unwrap();
        // IHDR data starts at byte 16 (8 signature + 4 length + 4 type): width, height
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = decode_png(&png, "big.png").unwrap_err();
        assert!(matches!(e, Error::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains("refused before allocating"), "{e}");
    }

    // Edge case: a 16-bit PNG is refused with a reason, never read at 8 bits.
    #[test]
    fn sixteen_bit_is_refused() {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, 2, 1);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Sixteen);
            let mut w = enc.write_header().unwrap();
            w.write_image_data(&[0x12, 0x34, 0x12, 0x35]).unwrap();
        }
        let e = decode_png(&out, "x.png").unwrap_err().to_string();
        assert!(e.contains("16-bit") && e.contains("x.png"), "{e}");
    }

    fn encode(color: png::ColorType, w: u32, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, 1);
            enc.set_color(color);
            enc.set_depth(png::BitDepth::Eight);
            let mut wr = enc.write_header().unwrap();
            wr.write_image_data(data).unwrap();
        }
        out
    }

    // Edge case: alpha is never silently kept or dropped: refused by default (the error names
    // both choices), kept as the last channel or dropped on request, for RGBA and grey+alpha.
    #[test]
    fn alpha_is_explicit() {
        let rgba = encode(png::ColorType::Rgba, 2, &[1, 2, 3, 255, 4, 5, 6, 0]);
        let e = decode_png(&rgba, "a.png").unwrap_err().to_string();
        assert!(
            e.contains("alpha") && e.contains("keep") && e.contains("drop"),
            "{e}"
        );
        let keep = decode_png_alpha(&rgba, "a.png", AlphaPolicy::Keep).unwrap();
        assert_eq!(
            keep.iter().copied().collect::<Vec<_>>(),
            [1, 2, 3, 255, 4, 5, 6, 0]
        );
        assert_eq!(keep.dim(), (1, 2, 4));
        let drop = decode_png_alpha(&rgba, "a.png", AlphaPolicy::Drop).unwrap();
        assert_eq!(drop.iter().copied().collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
        let ga = encode(png::ColorType::GrayscaleAlpha, 2, &[7, 9, 8, 10]);
        assert!(decode_png(&ga, "g.png").is_err());
        let d = decode_png_alpha(&ga, "g.png", AlphaPolicy::Drop).unwrap();
        assert_eq!(
            (d.dim(), d.iter().copied().collect::<Vec<_>>()),
            ((1, 2, 1), vec![7, 8])
        );
        // no alpha: the same under every policy
        let rgb = encode(png::ColorType::Rgb, 1, &[1, 2, 3]);
        for p in [AlphaPolicy::Refuse, AlphaPolicy::Keep, AlphaPolicy::Drop] {
            assert_eq!(decode_png_alpha(&rgb, "c.png", p).unwrap().dim(), (1, 1, 3));
        }
    }
}
