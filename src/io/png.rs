//! PNG input (8-bit after expansion) and heatmap output.

use ndarray::{Array3, ArrayView3};

use crate::error::{Error, Result};

/// Decodes PNG bytes into an `h×w×c` u8 array (c = 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA:
/// an alpha channel is kept, as the last channel, and windows with k_c > 1 include it).
/// Palettes and bit depths below 8 are expanded. 16-bit images are refused (keeping their
/// high byte would silently merge 256 levels into one and change every exact H1); convert
/// them to 8 bits or to a float `.npy`.
///
/// ```
/// let bytes = sednas::io::png::encode_rgb(2, 1, &[255, 0, 0, 0, 255, 0]).unwrap();
/// let img = sednas::io::png::decode_png(&bytes, "mem").unwrap();
/// assert_eq!(img.dim(), (1, 2, 3));
/// assert!(sednas::io::png::decode_png(&bytes[..20], "mem").is_err());
/// ```
pub fn decode_png(bytes: &[u8], name: &str) -> Result<Array3<u8>> {
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
    let (h, w) = (info.height as usize, info.width as usize);
    let line = info.line_size;
    let mut out = Vec::with_capacity(h * w * channels);
    for row in buf[..info.buffer_size()].chunks(line).take(h) {
        out.extend_from_slice(&row[..w * channels]);
    }
    Array3::from_shape_vec((h, w, channels), out).map_err(|e| err(e.to_string()))
}

/// Reads a PNG file into an `h×w×c` u8 array.
pub fn read_png(path: &std::path::Path) -> Result<Array3<u8>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode_png(&bytes, &path.display().to_string())
}

/// Encodes 8-bit RGB pixels (row-major, 3 bytes each) as PNG.
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

/// Renders an `h×w×c` map as a heatmap PNG: channels side by side (one-pixel gap), each
/// pixel scaled `scale`× , viridis over the finite range, −∞ drawn black.
///
/// ```
/// let m = ndarray::Array3::from_shape_fn((2, 2, 1), |(i, j, _)| (i + j) as f64);
/// let png = sednas::io::png::heatmap_png(m.view(), 2).unwrap();
/// assert_eq!(sednas::io::png::decode_png(&png, "mem").unwrap().dim(), (4, 4, 3));
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
    let tw = c * w * scale + (c - 1);
    let th = h * scale;
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
}
