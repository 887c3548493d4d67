//! Reader and writer for NumPy `.npy` files (format versions 1–3).
//!
//! Read: dtypes u8 (`|u1`), f32 (`<f4`/`>f4`) and f64 (`<f8`/`>f8`), C or Fortran order, any
//! rank. Write: f64 little-endian, C order. Every malformed file is a typed
//! [`Error::Npy`] naming the problem.

use ndarray::{ArrayD, IxDyn, ShapeBuilder};

use crate::error::{Error, Result};

/// An array read from a `.npy` file, in its stored dtype.
#[derive(Debug, Clone, PartialEq)]
pub enum NpyArray {
    /// `|u1`
    U8(ArrayD<u8>),
    /// `<f4` or `>f4`
    F32(ArrayD<f32>),
    /// `<f8` or `>f8`
    F64(ArrayD<f64>),
}

impl NpyArray {
    /// The array's shape.
    ///
    /// ```
    /// use sednas::io::npy::NpyArray;
    /// let a = NpyArray::U8(ndarray::ArrayD::zeros(vec![2, 3, 1]));
    /// assert_eq!(a.shape(), &[2, 3, 1]);
    /// ```
    pub fn shape(&self) -> &[usize] {
        match self {
            NpyArray::U8(a) => a.shape(),
            NpyArray::F32(a) => a.shape(),
            NpyArray::F64(a) => a.shape(),
        }
    }

    /// The dtype as numpy spells it.
    ///
    /// ```
    /// use sednas::io::npy::NpyArray;
    /// assert_eq!(NpyArray::F32(ndarray::ArrayD::zeros(vec![1])).dtype(), "float32");
    /// assert_eq!(NpyArray::U8(ndarray::ArrayD::zeros(vec![1])).dtype(), "uint8");
    /// ```
    pub fn dtype(&self) -> &'static str {
        match self {
            NpyArray::U8(_) => "uint8",
            NpyArray::F32(_) => "float32",
            NpyArray::F64(_) => "float64",
        }
    }

    /// Every value as f64.
    ///
    /// ```
    /// use sednas::io::npy::NpyArray;
    /// let a = NpyArray::U8(ndarray::arr1(&[0u8, 7, 255]).into_dyn());
    /// assert_eq!(a.to_f64(), ndarray::arr1(&[0.0, 7.0, 255.0]).into_dyn());
    /// ```
    pub fn to_f64(&self) -> ArrayD<f64> {
        match self {
            NpyArray::U8(a) => a.mapv(f64::from),
            NpyArray::F32(a) => a.mapv(f64::from),
            NpyArray::F64(a) => a.clone(),
        }
    }
}

/// Reads a `.npy` file.
///
/// # Errors
/// As [`crate::io::bounded::read`] ([`Error::Io`], [`Error::NotAFile`],
/// [`Error::InputTooLarge`]); as [`parse_npy`] for its contents.
///
/// ```
/// use sednas::io::npy::{read_npy, to_npy_bytes, NpyArray};
/// let a = ndarray::array![[1.5, -2.0]].into_dyn();
/// let path = std::env::temp_dir().join(format!("sednas-doc-read-{}.npy", std::process::id()));
/// std::fs::write(&path, to_npy_bytes(&a)).unwrap();
/// assert_eq!(read_npy(&path).unwrap(), NpyArray::F64(a));
/// std::fs::remove_file(&path).unwrap();
/// assert!(matches!(read_npy(&path), Err(sednas::error::Error::Io { .. })));
/// ```
pub fn read_npy(path: &std::path::Path) -> Result<NpyArray> {
    let bytes = crate::io::bounded::read(path, crate::io::bounded::BINARY)?;
    parse_npy(&bytes, &path.display().to_string())
}

fn header_field<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let pat = format!("'{key}'");
    let start = header.find(&pat)? + pat.len();
    let rest = header[start..].trim_start().strip_prefix(':')?.trim_start();
    Some(rest)
}

/// Parses the bytes of a `.npy` file; `name` is used in error messages.
///
/// # Errors
/// [`Error::Npy`] naming `name` for a missing magic string, an unsupported version, a
/// header without a readable dtype, order or shape, a dtype other than u8, f32 or f64, or
/// data shorter than the shape.
///
/// ```
/// use sednas::io::npy::{parse_npy, to_npy_bytes, NpyArray};
/// let a = ndarray::array![[1.0, 2.0], [3.0, 4.0]].into_dyn();
/// let bytes = to_npy_bytes(&a);
/// assert_eq!(parse_npy(&bytes, "mem").unwrap(), NpyArray::F64(a));
/// assert!(parse_npy(&bytes[..bytes.len() - 1], "mem").is_err()); // truncated
/// ```
pub fn parse_npy(bytes: &[u8], name: &str) -> Result<NpyArray> {
    let err = |reason: String| Error::Npy {
        path: name.to_string(),
        reason,
    };
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(err("missing the \\x93NUMPY magic string".into()));
    }
    let major = bytes[6];
    let (hlen, hstart) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10usize),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(err("truncated header length".into()));
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        v => return Err(err(format!("unsupported format version {v}"))),
    };
    let hend = hstart
        .checked_add(hlen)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| err("truncated header".into()))?;
    let header =
        std::str::from_utf8(&bytes[hstart..hend]).map_err(|_| err("header is not text".into()))?;
    let descr = header_field(header, "descr")
        .and_then(|r| {
            // the value is a quoted string: its opening quote, then up to the same quote
            let q = r.chars().next().filter(|c| *c == '\'' || *c == '"')?;
            let r = &r[q.len_utf8()..];
            Some(&r[..r.find(q)?])
        })
        .ok_or_else(|| err("header has no 'descr'".into()))?;
    let fortran = match header_field(header, "fortran_order") {
        Some(r) if r.starts_with("True") => true,
        Some(r) if r.starts_with("False") => false,
        _ => return Err(err("header has no 'fortran_order'".into())),
    };
    let shape_txt = header_field(header, "shape")
        .and_then(|r| {
            r.strip_prefix('(')
                .and_then(|r| r.find(')').map(|e| &r[..e]))
        })
        .ok_or_else(|| err("header has no 'shape' tuple".into()))?;
    let mut shape = Vec::new();
    for part in shape_txt
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        shape.push(
            part.parse::<usize>()
                .map_err(|_| err(format!("bad shape entry {part:?}")))?,
        );
    }
    let count = shape
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b))
        .ok_or_else(|| err("shape overflows".into()))?;
    let data = &bytes[hend..];
    let (item, big) = match descr {
        "|u1" | "<u1" | ">u1" | "u1" => (1usize, false),
        "<f4" => (4, false),
        ">f4" => (4, true),
        "<f8" => (8, false),
        ">f8" => (8, true),
        other => {
            return Err(err(format!(
                "unsupported dtype {other:?} (supported: uint8, float32, float64)"
            )));
        }
    };
    let need = count
        .checked_mul(item)
        .ok_or_else(|| err("size overflows".into()))?;
    if data.len() < need {
        return Err(err(format!(
            "truncated data: need {need} bytes for shape {shape:?}, found {}",
            data.len()
        )));
    }
    let data = &data[..need];
    let sh = IxDyn(&shape);
    let mk = |()| sh.clone().set_f(fortran);
    let build_err = |e: ndarray::ShapeError| err(e.to_string());
    Ok(match item {
        1 => NpyArray::U8(
            ArrayD::from_shape_vec(mk(()), data.to_vec())
                .map_err(build_err)?
                .as_standard_layout()
                .into_owned(),
        ),
        4 => {
            let v: Vec<f32> = data
                .chunks_exact(4)
                .map(|c| {
                    let b = [c[0], c[1], c[2], c[3]];
                    if big {
                        f32::from_be_bytes(b)
                    } else {
                        f32::from_le_bytes(b)
                    }
                })
                .collect();
            NpyArray::F32(
                ArrayD::from_shape_vec(mk(()), v)
                    .map_err(build_err)?
                    .as_standard_layout()
                    .into_owned(),
            )
        }
        _ => {
            let v: Vec<f64> = data
                .chunks_exact(8)
                .map(|c| {
                    let b: [u8; 8] = c.try_into().expect("8 bytes");
                    if big {
                        f64::from_be_bytes(b)
                    } else {
                        f64::from_le_bytes(b)
                    }
                })
                .collect();
            NpyArray::F64(
                ArrayD::from_shape_vec(mk(()), v)
                    .map_err(build_err)?
                    .as_standard_layout()
                    .into_owned(),
            )
        }
    })
}

/// Serialises an f64 array as a version-1 `.npy` file (little-endian, C order).
///
/// # Formula
/// magic · version · u16 header length · header padded with spaces to a multiple of 64 · data
///
/// ```
/// let b = sednas::io::npy::to_npy_bytes(&ndarray::arr1(&[1.0]).into_dyn());
/// assert_eq!(&b[..6], b"\x93NUMPY");
/// assert_eq!((b.len() - 8) % 64, 0);
/// ```
pub fn to_npy_bytes(a: &ArrayD<f64>) -> Vec<u8> {
    let shape = match a.shape() {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        s => format!(
            "({})",
            s.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    let total = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - total % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + a.len() * 8);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in a.iter() {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_header(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}\n");
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h.as_bytes());
        b.extend_from_slice(data);
        b
    }

    // Edge case: a dtype we do not read is named in the error.
    #[test]
    fn unsupported_dtype() {
        let b = with_header("<i8", "(1,)", &[0; 8]);
        let e = parse_npy(&b, "x.npy").unwrap_err().to_string();
        assert!(e.contains("<i8"), "{e}");
    }

    // Edge case (found by tests/fuzz_stable.rs): a multi-byte character where the descr's
    // opening quote belongs used to panic on a char boundary; an unquoted descr is refused.
    #[test]
    fn descr_without_quotes() {
        for h in [
            "{'descr': é '<f8', 'fortran_order': False, 'shape': (1,), }\n",
            "{'descr': <f8, 'fortran_order': False, 'shape': (1,), }\n",
        ] {
            let mut f = b"\x93NUMPY\x01\x00".to_vec();
            f.extend_from_slice(&(h.len() as u16).to_le_bytes());
            f.extend_from_slice(h.as_bytes());
            f.extend_from_slice(&[0; 8]);
            let e = parse_npy(&f, "x").unwrap_err().to_string();
            assert!(e.contains("descr"), "{e}");
        }
    }

    // Edge case: not a .npy file at all.
    #[test]
    fn bad_magic() {
        assert!(matches!(
            parse_npy(b"PK\x03\x04 hello", "x"),
            Err(Error::Npy { .. })
        ));
    }

    // Edge case: fewer data bytes than the shape needs.
    #[test]
    fn truncated_data() {
        let b = with_header("|u1", "(2, 3)", &[1, 2, 3]);
        let e = parse_npy(&b, "x").unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn reads_u8_and_f32_fortran() {
        let b = with_header("|u1", "(2, 2)", &[1, 2, 3, 4]);
        assert_eq!(
            parse_npy(&b, "x").unwrap(),
            NpyArray::U8(ndarray::array![[1u8, 2], [3, 4]].into_dyn())
        );
        let h = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n";
        let mut f = b"\x93NUMPY\x01\x00".to_vec();
        f.extend_from_slice(&(h.len() as u16).to_le_bytes());
        f.extend_from_slice(h.as_bytes());
        for v in [1f32, 3.0, 2.0, 4.0] {
            f.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(
            parse_npy(&f, "x").unwrap(),
            NpyArray::F32(ndarray::array![[1f32, 2.0], [3.0, 4.0]].into_dyn())
        );
    }
}
